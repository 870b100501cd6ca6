import { instantToWall } from './zonedTime.ts';
import { truncateWall } from './truncateWall.ts';

/**
 * Relative date ranges (`inRange: "last 7 days"`): the calendar half of docs/DESIGN.md
 * "Relative ranges". A range is [fromWall, toWall) in wall time of the dataset's zone (see
 * zonedTime.ts), computed from "now" by truncating and stepping whole calendar units, so
 * DST never shifts a bound: a "today" on a 23-hour day is still midnight to midnight.
 * The caller turns the bounds into instants (wallToInstant) and names the input path in
 * errors; this file only reads the text and does the arithmetic.
 */

const DAY = 86_400_000;

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** The accepted forms, as error messages and the schema's doc string list them. */
export const RELATIVE_RANGE_FORMS: readonly string[] = [
  'today',
  'yesterday',
  'this week|month|quarter|year',
  'last week|month|quarter|year',
  'last N days|weeks|months (N >= 1, the current one included)',
  'year to date',
  'month to date',
];

export interface WallRange {
  readonly fromWall: number;
  readonly toWall: number;
}

/**
 * The wall range `text` denotes at instant `nowMs` in `zone`, or null when the text is none
 * of RELATIVE_RANGE_FORMS. Case-insensitive; extra spaces are ignored.
 */
export function relativeRange(text: string, nowMs: number, zone: string): WallRange | null {
  const words = text.trim().toLowerCase().split(/\s+/).join(' ');
  const now = instantToWall(nowMs, zone);
  const today = truncateWall(now, 'day');
  if (words === 'today') return { fromWall: today, toWall: today + DAY };
  if (words === 'yesterday') return { fromWall: today - DAY, toWall: today };
  if (words === 'year to date') return { fromWall: truncateWall(now, 'year'), toWall: today + DAY };
  if (words === 'month to date') return { fromWall: truncateWall(now, 'month'), toWall: today + DAY };

  const named = /^(this|last) (week|month|quarter|year)$/.exec(words);
  if (named) {
    const unit = named[2] as Unit;
    const start = truncateWall(now, unit);
    return named[1] === 'this' ? { fromWall: start, toWall: addUnits(start, unit, 1) } : { fromWall: addUnits(start, unit, -1), toWall: start };
  }

  const counted = /^last (\d+) (day|days|week|weeks|month|months)$/.exec(words);
  if (counted) {
    const n = Number(counted[1]);
    if (!Number.isSafeInteger(n) || n < 1) return null;
    const unit = counted[2]!.replace(/s$/, '') as Unit;
    const start = truncateWall(now, unit);
    return { fromWall: addUnits(start, unit, -(n - 1)), toWall: addUnits(start, unit, 1) };
  }
  return null;
}

/**
 * `wall` (a bucket start of `unit`) moved by `n` units. Months, quarters and years step on
 * the calendar from a month's first day, so no day-of-month needs clamping.
 */
function addUnits(wall: number, unit: Unit, n: number): number {
  switch (unit) {
    case 'day':
      return wall + n * DAY;
    case 'week':
      return wall + n * 7 * DAY;
    case 'month':
    case 'quarter':
    case 'year': {
      const months = n * (unit === 'month' ? 1 : unit === 'quarter' ? 3 : 12);
      const date = new Date(wall);
      const stepped = new Date(0);
      // setUTCFullYear carries months past 11 or below 0 into the year, and reads years 0-99 as such.
      stepped.setUTCFullYear(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
      return stepped.getTime();
    }
  }
}
