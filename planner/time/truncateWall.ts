import type { Granularity } from '../../schema/index.ts';

const SECOND = 1_000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The start of the `granularity` bucket holding a wall time (see zonedTime.ts), as
 * PostgreSQL's `date_trunc(granularity, wall_timestamp)` computes it. Wall times carry no
 * offset, so this is plain calendar arithmetic on UTC fields: DST never applies here.
 * Weeks start on Monday (ISO 8601); months, quarters and years on their first day.
 * Truncations compose: truncating a day bucket to its month equals truncating the time.
 */
export function truncateWall(wallMs: number, granularity: Granularity): number {
  switch (granularity) {
    case 'second':
      return floorTo(wallMs, SECOND);
    case 'minute':
      return floorTo(wallMs, MINUTE);
    case 'hour':
      return floorTo(wallMs, HOUR);
    case 'day':
      return floorTo(wallMs, DAY);
    case 'week': {
      // Day 0 (1970-01-01) was a Thursday: Monday-based weekday of day d is (d + 3) mod 7.
      const day = Math.floor(wallMs / DAY);
      return (day - mod(day + 3, 7)) * DAY;
    }
    case 'month':
    case 'quarter':
    case 'year': {
      const date = new Date(wallMs);
      const month = date.getUTCMonth();
      const first = granularity === 'month' ? month : granularity === 'quarter' ? month - (month % 3) : 0;
      return utcDate(date.getUTCFullYear(), first);
    }
    default:
      return assertNoGranularity(granularity);
  }
}

function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** Midnight of the first day of `month` in `year`; Date.UTC would read years 0-99 as 1900s. */
function utcDate(year: number, month: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, 1);
  return date.getTime();
}

function assertNoGranularity(value: never): never {
  throw new Error(`unexpected granularity: ${JSON.stringify(value)}`);
}
