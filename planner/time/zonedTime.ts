/**
 * Wall-clock arithmetic for bucketing in a dataset's time zone.
 *
 * A "wall" time is the local date and time in a zone, encoded as milliseconds as if that
 * local time were UTC. Buckets are computed on wall times (that is what `date_trunc` on
 * `ts AT TIME ZONE tz` does in Postgres), and turned back into instants only for display.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` from UTC at `instantMs`, in milliseconds (New York in winter: -5h). */
export function zoneOffsetAt(instantMs: number, zone: string): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const date = new Date(Date.UTC(2000, 0, 1, parts.hour!, parts.minute!, parts.second!));
  date.setUTCFullYear(parts.year!, parts.month! - 1, parts.day!); // Date.UTC would read years 0-99 as 1900-1999
  const wall = date.getTime();
  const wholeSeconds = instantMs - (((instantMs % 1000) + 1000) % 1000);
  return wall - wholeSeconds;
}

/** The wall time in `zone` of an instant. */
export function instantToWall(instantMs: number, zone: string): number {
  return instantMs + zoneOffsetAt(instantMs, zone);
}

/**
 * The instant a wall time in `zone` denotes. Where the wall time is ambiguous (clocks
 * turned back) or does not exist (clocks turned forward), this picks the instant that
 * uses the smaller of the two offsets around it, which is what PostgreSQL's
 * `timestamp AT TIME ZONE zone` does, so buckets print the same as SQL would.
 */
export function wallToInstant(wallMs: number, zone: string): number {
  const before = zoneOffsetAt(wallMs - 86_400_000, zone);
  const after = zoneOffsetAt(wallMs + 86_400_000, zone);
  if (before === after) return wallMs - before;
  const candidates = [wallMs - before, wallMs - after].filter((i) => zoneOffsetAt(i, zone) === wallMs - i);
  if (candidates.length === 1) return candidates[0]!;
  return wallMs - Math.min(before, after);
}

/** Formatted wall times per zone, across requests: time buckets repeat (a month, a day), and finding a zone's offset takes two Intl calls. */
const formattedByZone = new Map<string, Map<number, string>>();
/** Wall times remembered per zone (a year of hours and more); past it, that zone starts afresh. */
const MAX_FORMATTED_PER_ZONE = 20_000;

/** ISO-8601 with the zone's offset at that wall time: `2024-03-01T00:00:00-05:00`. */
export function formatWall(wallMs: number, zone: string): string {
  let formatted = formattedByZone.get(zone);
  if (!formatted) {
    if (formattedByZone.size >= 100) formattedByZone.clear(); // zones come from the config: a handful
    formattedByZone.set(zone, (formatted = new Map()));
  }
  let text = formatted.get(wallMs);
  if (text === undefined) {
    if (formatted.size >= MAX_FORMATTED_PER_ZONE) formatted.clear();
    formatted.set(wallMs, (text = formatWallOnce(wallMs, zone)));
  }
  return text;
}

/**
 * An instant as ISO-8601 with the offset of `zone` at that instant: the one time format of
 * query buckets and stream windows (`2025-01-01T00:00:00+00:00` in UTC).
 */
export function formatInstant(instantMs: number, zone: string): string {
  // The offset of the instant itself: in the hour clocks turn back, its wall time is ambiguous.
  const offsetMs = zoneOffsetAt(instantMs, zone);
  return printIso(instantMs + offsetMs, Math.round(offsetMs / 60_000));
}

function formatWallOnce(wallMs: number, zone: string): string {
  return printIso(wallMs, Math.round((wallMs - wallToInstant(wallMs, zone)) / 60_000));
}

function printIso(wallMs: number, offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const iso = new Date(wallMs).toISOString();
  const ms = iso.slice(19, 23) === '.000' ? '' : iso.slice(19, 23);
  return `${iso.slice(0, 19)}${ms}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

const ISO_INPUT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * The supported instants: years 1 to 9999 in UTC. Postgres has no year 0 (it rejects
 * `0000-01-01`), and ISO-8601 text of years past 9999 needs an expanded `+010000` form
 * that neither Postgres nor DuckDB reads; so values outside are refused at input, where
 * every answer path (cache or source) sees the same verdict.
 */
export const MIN_TIME_MS = -62_135_596_800_000; // 0001-01-01T00:00:00Z (Date.UTC would read year 1 as 1901)
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses a filter value: an ISO-8601 date or date-time. Without an offset it is read as
 * wall time in `zone` (so `2024-01-01` means midnight where the dataset lives).
 * Returns the instant in epoch milliseconds, or null when the text is not such a value
 * or names an instant outside MIN_TIME_MS..MAX_TIME_MS (years 1-9999 UTC; `anyYear` lifts
 * that bound, to tell the caller which of the two went wrong).
 */
export function parseTimeInput(text: string, zone: string, options: { readonly anyYear?: boolean } = {}): number | null {
  const m = ISO_INPUT.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', offset] = m;
  const check = new Date(Date.UTC(2000, 0, 1, Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3))));
  check.setUTCFullYear(Number(y), Number(mo) - 1, Number(d)); // Date.UTC would read years 0-99 as 1900-1999
  const wall = check.getTime();
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return null;
  }
  const instant = offset === undefined ? wallToInstant(wall, zone) : applyOffset(wall, offset);
  if (options.anyYear) return instant;
  return instant !== null && instant >= MIN_TIME_MS && instant <= MAX_TIME_MS ? instant : null;
}

function applyOffset(wall: number, offset: string): number | null {
  if (offset === 'Z') return wall;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 18 || minutes > 59) return null; // ISO-8601 offsets stay within ±18:00
  return wall - sign * (hours * 3_600_000 + minutes * 60_000);
}
