import { ConfigError } from '../errors/index.ts';
import { GRANULARITIES, type CustomGranularity, type DatasetConfig } from './Config.ts';

const DAY = 86_400_000;
const INTERVAL = /^\s*(\d+)\s*(days?|weeks?|months?|quarters?|years?)\s*$/i;
/** A wall date or date-time in the dataset's zone: no offset. */
const ORIGIN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;
/** Besides the built-in granularities (any case), names an enum value cannot take or the row type uses. */
const RESERVED = new Set(['calc', 'true', 'false', 'null']);

/**
 * A dataset's `granularities:` (docs/DESIGN.md "Analytics", custom calendars): each
 * `interval` is N days|weeks|months|quarters|years (weeks are 7N days; quarters 3N and years
 * 12N months); `origin` is a date or date-time without offset, read as a wall time in the
 * dataset's zone, a month start for month-based intervals and a day start for day-based ones.
 * Names become enum values of the dataset's time granularity enum beside the built-ins.
 */
export function buildGranularities(
  raw: Readonly<Record<string, { interval: string; origin: string }>>,
  dimensions: DatasetConfig['dimensions'],
  at: string,
  errors: ConfigError[],
): DatasetConfig['granularities'] {
  const built: Record<string, CustomGranularity> = {};
  const lowerNames = new Map<string, string>();
  if (Object.keys(raw).length > 0 && !Object.values(dimensions).some((d) => d.type === 'time')) {
    errors.push(new ConfigError(`${at}.granularities`, 'this dataset has no time dimension to bucket; add one or remove granularities'));
  }
  for (const [name, spec] of Object.entries(raw)) {
    const gAt = `${at}.granularities.${name}`;
    const lower = name.toLowerCase();
    if ((GRANULARITIES as readonly string[]).includes(lower)) {
      errors.push(new ConfigError(gAt, `"${name}" is the built-in granularity ${lower.toUpperCase()}; choose another name, such as fiscal${lower[0]!.toUpperCase()}${lower.slice(1)}`));
      continue;
    }
    if (RESERVED.has(lower)) {
      errors.push(new ConfigError(gAt, `"${name}" is reserved; choose another name`));
      continue;
    }
    const twin = lowerNames.get(lower);
    if (twin !== undefined) {
      errors.push(new ConfigError(gAt, `"${name}" differs from "${twin}" only in case; results name buckets in lower case, so rename one`));
      continue;
    }
    lowerNames.set(lower, name);
    const interval = INTERVAL.exec(spec.interval);
    const count = interval ? Number(interval[1]) : 0;
    if (!interval || !Number.isSafeInteger(count) || count < 1) {
      errors.push(new ConfigError(`${gAt}.interval`, `expected N days, weeks, months, quarters or years with N a whole number of 1 or more, such as "3 months"; got ${JSON.stringify(spec.interval)}`));
      continue;
    }
    const unitWord = interval[2]!.toLowerCase().replace(/s$/, '');
    const unit = unitWord === 'day' || unitWord === 'week' ? 'day' : 'month';
    const scaled = count * ({ day: 1, week: 7, month: 1, quarter: 3, year: 12 } as Record<string, number>)[unitWord]!;
    const originWall = parseWallDate(spec.origin);
    if (originWall === null) {
      errors.push(new ConfigError(`${gAt}.origin`, `expected a date such as "2025-02-01" or a date-time such as "2025-02-01T06:00:00", in the dataset's time zone without an offset; got ${JSON.stringify(spec.origin)}`));
      continue;
    }
    if (unit === 'month' && (new Date(originWall).getUTCDate() !== 1 || originWall % DAY !== 0)) {
      errors.push(new ConfigError(`${gAt}.origin`, `a ${spec.interval.trim()} interval counts calendar months, so its origin must be the first of a month at 00:00, such as "${new Date(originWall).toISOString().slice(0, 8)}01"; got ${JSON.stringify(spec.origin)}`));
      continue;
    }
    if (unit === 'day' && ((originWall % DAY) + DAY) % DAY !== 0) {
      errors.push(new ConfigError(`${gAt}.origin`, `a ${spec.interval.trim()} interval counts whole days, so its origin must be a day start (00:00), such as "${new Date(originWall).toISOString().slice(0, 10)}"; got ${JSON.stringify(spec.origin)}`));
      continue;
    }
    built[name] = Object.freeze({ name, unit, count: scaled, originWall });
  }
  return Object.freeze(built);
}

/** The wall ms of `2025-02-01` or `2025-02-01T06:30:00`; null for anything else or an impossible date (`2025-02-30`). */
function parseWallDate(text: string): number | null {
  const m = ORIGIN.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  date.setUTCHours(Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  const fits = date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(mo) - 1 && date.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
  return fits ? date.getTime() : null;
}
