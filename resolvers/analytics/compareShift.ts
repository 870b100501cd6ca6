import { alignmentOf, DAY, type Span } from './calendar.ts';

/**
 * How far `compare` looks back from a range [from, to) of wall times: PREVIOUS_YEAR is 12
 * calendar months; PREVIOUS_PERIOD is the range's own length, in months when both bounds
 * are month starts, in days when both are day starts, else in milliseconds.
 */
export function compareShift(range: { readonly from: number; readonly to: number }, to: 'previousPeriod' | 'previousYear'): Span {
  if (to === 'previousYear') return { unit: 'month', count: 12 };
  const [a, b] = [alignmentOf(range.from), alignmentOf(range.to)];
  if (a === 'month' && b === 'month') {
    const f = new Date(range.from);
    const t = new Date(range.to);
    return { unit: 'month', count: t.getUTCFullYear() * 12 + t.getUTCMonth() - (f.getUTCFullYear() * 12 + f.getUTCMonth()) };
  }
  if ((a === 'month' || a === 'day') && (b === 'month' || b === 'day')) return { unit: 'day', count: Math.round((range.to - range.from) / DAY) };
  return { unit: 'ms', count: range.to - range.from };
}
