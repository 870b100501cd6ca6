import { describe, expect, it } from 'vitest';
import { core, plan } from './deriveTestPlans.ts';
import { dimensionsCovered } from './dimensionsCovered.ts';

describe('dimensionsCovered', () => {
  it.each<[string, string[], string[], string | null]>([
    ['the same dimensions', ['region', 'channel'], ['region', 'channel'], null],
    ['a subset', ['region'], ['region', 'channel', 'orderDate.day'], null],
    ['no dimensions', [], ['region'], null],
    ['a time dimension at another granularity (timeRollsUp decides)', ['orderDate.month'], ['orderDate.day'], null],
    ['a missing dimension', ['region', 'channel'], ['region'], 'dimension "channel" is not in the cached core'],
    ['a missing time dimension', ['orderDate.month'], ['region'], 'dimension "orderDate" is not in the cached core'],
    ['a core without dimensions', ['quantity'], [], 'dimension "quantity" is not in the cached core'],
  ])('%s', (_, wanted, held, reason) => {
    expect(dimensionsCovered(plan({ dims: wanted }), core({ dims: held }))).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
