import { badInput } from '../../errors/index.ts';
import type { Span } from './calendar.ts';

const UNITS: Record<string, Span> = {
  d: { unit: 'day', count: 1 },
  day: { unit: 'day', count: 1 },
  w: { unit: 'day', count: 7 },
  week: { unit: 'day', count: 7 },
  month: { unit: 'month', count: 1 },
  quarter: { unit: 'month', count: 3 },
  year: { unit: 'month', count: 12 },
};

/**
 * A rolling window's length: `7d`, `2 weeks`, `3 MONTH`, `1 year` (a whole number, then
 * d/day(s), w/week(s), month(s), quarter(s) or year(s), any case). Errors name the field.
 */
export function parseRolling(text: string, field: string): Span {
  const m = /^\s*(\d+)\s*([a-z]+?)s?\s*$/i.exec(text);
  const n = m ? Number(m[1]) : NaN;
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!unit || !Number.isSafeInteger(n) || n < 1 || n > 10_000) {
    throw badInput(`${field}(rolling: ${JSON.stringify(text)}): expected a whole number (1 to 10000) and a unit, such as "7d", "2 weeks", "3 MONTH" or "1 year"`);
  }
  return { unit: unit.unit, count: unit.count * n };
}
