import { describe, expect, it } from 'vitest';
import type { Filter } from '../../planner/index.ts';
import { at, core, DERIVE_TEST_DATASET, f, plan } from './deriveTestPlans.ts';
import { residualUsesCoreDimensions } from './residualUsesCoreDimensions.ts';

const month = '2024-06-01T04:00:00.000Z'; // midnight of June 1st in New York (EDT)

describe('residualUsesCoreDimensions', () => {
  it.each<[string, string[], Filter | null, string | null]>([
    ['no residual', ['region'], null, null],
    ['a residual on a core dimension', ['region', 'channel'], f.and(f.eq('region', 'East'), f.not(f.match('channel', 'startsWith', 'w'))), null],
    ['a residual on a dimension the core lacks', ['region'], f.eq('channel', 'web'), 'filter on "channel" needs a dimension the cached core does not have'],
    ['a missing dimension inside an OR', ['region'], f.or(f.eq('region', 'East'), f.isNull('quantity')), 'filter on "quantity" needs a dimension the cached core does not have'],
    ['>= at a day start', ['orderDate.day'], f.cmp('orderDate', 'gte', at('2024-06-17')), null],
    ['< at a month start on days', ['orderDate.day'], f.cmp('orderDate', 'lt', month), null],
    ['>= at a month start on months', ['orderDate.month'], f.cmp('orderDate', 'gte', month), null],
    ['IS NULL on time', ['orderDate.month'], f.isNull('orderDate', false), null],
    ['a bound inside an OR and a NOT', ['orderDate.day', 'region'], f.or(f.not(f.cmp('orderDate', 'lt', month)), f.eq('region', 'East')), null],
    ['the finest of several groupings', ['orderDate.month', 'orderDate.hour'], f.cmp('orderDate', 'gte', at('2024-06-17T13:00')), null],
    [
      '>= inside a month bucket',
      ['orderDate.month'],
      f.cmp('orderDate', 'gte', at('2024-06-17')),
      'filter orderDate >= "2024-06-17T04:00:00.000Z" does not fall on the start of a month bucket in America/New_York, so it would split a cached bucket',
    ],
    [
      'a UTC midnight on New York days',
      ['orderDate.day'],
      f.cmp('orderDate', 'lt', '2024-06-01T00:00:00.000Z'),
      'filter orderDate < "2024-06-01T00:00:00.000Z" does not fall on the start of a day bucket in America/New_York, so it would split a cached bucket',
    ],
    [
      'a day start next to the spring DST change',
      ['orderDate.day'],
      f.cmp('orderDate', 'gte', at('2024-03-11')),
      'filter orderDate >= "2024-03-11T04:00:00.000Z" is within two days of a UTC offset change in America/New_York, where wall-clock buckets are ambiguous',
    ],
    [
      'a month start on a week grouping',
      ['orderDate.week'],
      f.cmp('orderDate', 'gte', month),
      'filter orderDate >= "2024-06-01T04:00:00.000Z" does not fall on the start of a week bucket in America/New_York, so it would split a cached bucket',
    ],
    [
      '> at a bucket start',
      ['orderDate.day'],
      f.cmp('orderDate', 'gt', month),
      'filter orderDate > "2024-06-01T04:00:00.000Z" on time dimension "orderDate" cannot be applied to cached day buckets: only >= and < at a bucket start can',
    ],
    [
      'eq on a time dimension',
      ['orderDate.day'],
      f.eq('orderDate', month),
      'filter orderDate = "2024-06-01T04:00:00.000Z" on time dimension "orderDate" cannot be applied to cached day buckets: only >= and < at a bucket start can',
    ],
  ])('%s', (_, dims, residual, reason) => {
    const verdict = residualUsesCoreDimensions(plan({ dims, filter: residual }), core({ dims }), DERIVE_TEST_DATASET);
    expect(verdict).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
