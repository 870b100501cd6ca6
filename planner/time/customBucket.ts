import type { CustomGranularity } from '../../schema/index.ts';

const DAY = 86_400_000;

/**
 * The bucket [start, end) of a dataset's own granularity holding a wall time (see
 * zonedTime.ts), per docs/DESIGN.md "Analytics" (custom calendars): day-based buckets are
 * `count` days laid from the origin, month-based ones `count` calendar months counted from
 * the origin's month. Works before the origin too (buckets floor toward minus infinity).
 * The config guarantees a month-based origin is a month start at 00:00, so month buckets
 * start on the first of a month and no day-of-month clamping is needed.
 */
export function customBucket(wall: number, g: CustomGranularity): { start: number; end: number } {
  if (g.unit === 'day') {
    const size = g.count * DAY;
    const start = g.originWall + Math.floor((wall - g.originWall) / size) * size;
    return { start, end: start + size };
  }
  const origin = new Date(g.originWall);
  const originMonth = origin.getUTCFullYear() * 12 + origin.getUTCMonth();
  const at = new Date(wall);
  const between = at.getUTCFullYear() * 12 + at.getUTCMonth() - originMonth;
  const first = originMonth + Math.floor(between / g.count) * g.count;
  return { start: monthStart(first), end: monthStart(first + g.count) };
}

/** Midnight of the first day of a month numbered year * 12 + month (0-based); Date.UTC would read years 0-99 as 1900s. */
function monthStart(monthIndex: number): number {
  const date = new Date(0);
  date.setUTCFullYear(Math.floor(monthIndex / 12), ((monthIndex % 12) + 12) % 12, 1);
  return date.getTime();
}
