import { describe, expect, it } from 'vitest';
import { GRANULARITIES, type Granularity } from '../../schema/index.ts';
import { core, plan } from './deriveTestPlans.ts';
import { rollsUpTo, timeRollsUp } from './timeRollsUp.ts';

/** Row: fine; the coarser granularities it rolls up to (besides itself). */
const ROLLS_UP: Record<Granularity, Granularity[]> = {
  second: ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'],
  minute: ['hour', 'day', 'week', 'month', 'quarter', 'year'],
  hour: ['day', 'week', 'month', 'quarter', 'year'],
  day: ['week', 'month', 'quarter', 'year'],
  week: [],
  month: ['quarter', 'year'],
  quarter: ['year'],
  year: [],
};

describe('rollsUpTo', () => {
  const pairs = GRANULARITIES.flatMap((fine) => GRANULARITIES.map((coarse) => [fine, coarse] as const));
  it.each(pairs)('%s to %s', (fine, coarse) => {
    expect(rollsUpTo(fine, coarse)).toBe(fine === coarse || ROLLS_UP[fine].includes(coarse));
  });
});

describe('timeRollsUp', () => {
  it.each<[string, string[], string[], string | null]>([
    ['the same granularity', ['orderDate.day'], ['orderDate.day'], null],
    ['day to month', ['orderDate.month'], ['orderDate.day', 'region'], null],
    ['hour to week', ['orderDate.week'], ['orderDate.hour'], null],
    ['day and month from day', ['orderDate.day', 'orderDate.month'], ['orderDate.day'], null],
    ['month from week or day', ['orderDate.month'], ['orderDate.day', 'orderDate.week'], null],
    ['non-time dimensions only', ['region'], ['region'], null],
    ['week to month', ['orderDate.month'], ['orderDate.week'], 'time dimension "orderDate" by month cannot be rolled up from the cached core\'s week buckets'],
    ['month to day', ['orderDate.day'], ['orderDate.month'], 'time dimension "orderDate" by day cannot be rolled up from the cached core\'s month buckets'],
    ['month to week', ['orderDate.week'], ['orderDate.month', 'orderDate.year'], 'time dimension "orderDate" by week cannot be rolled up from the cached core\'s month, year buckets'],
  ])('%s', (_, wanted, held, reason) => {
    expect(timeRollsUp(plan({ dims: wanted }), core({ dims: held }))).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
