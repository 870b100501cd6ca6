import { describe, expect, it } from 'vitest';
import { core, plan, type PlanSpec } from './deriveTestPlans.ts';
import { measuresReaggregable } from './measuresReaggregable.ts';

const all = ['revenue', 'orders', 'customers', 'avgPrice', 'maxAmount', 'minAmount'];

describe('measuresReaggregable', () => {
  it.each<[string, PlanSpec, PlanSpec, string | null]>([
    ['every aggregation on an exact dimension match', { dims: ['region'], measures: all }, { dims: ['region'], measures: all }, null],
    ['sum, count, avg, min, max rolled up', { dims: ['region'], measures: ['revenue', 'orders', 'avgPrice', 'maxAmount', 'minAmount'] }, { dims: ['region', 'channel'], measures: all }, null],
    ['rolled up in time', { dims: ['orderDate.month'], measures: ['avgPrice'] }, { dims: ['orderDate.day'], measures: ['avgPrice'] }, null],
    ['dimensions only', { dims: ['region'] }, { dims: ['region', 'channel'], measures: ['revenue'] }, null],
    ['a missing measure', { dims: ['region'], measures: ['revenue', 'orders'] }, { dims: ['region'], measures: ['revenue'] }, 'measure leaf "orders.count" is not in the cached core'],
    ['half of an avg', { dims: ['region'], measures: ['avgPrice'] }, { dims: ['region'], measures: [] }, 'measure leaf "avgPrice.count" is not in the cached core'],
    [
      'countDistinct over fewer dimensions',
      { dims: ['region'], measures: ['customers'] },
      { dims: ['channel', 'region'], measures: ['customers'] },
      'countDistinct cannot be rolled up: measure "customers" needs the cached core\'s exact dimensions (query: region; core: channel, region)',
    ],
    [
      'countDistinct over a coarser time',
      { dims: ['orderDate.month'], measures: ['customers'] },
      { dims: ['orderDate.day'], measures: ['customers'] },
      'countDistinct cannot be rolled up: measure "customers" needs the cached core\'s exact dimensions (query: orderDate.month; core: orderDate.day)',
    ],
    [
      'countDistinct totals',
      { measures: ['customers'] },
      { dims: ['region'], measures: ['customers'] },
      'countDistinct cannot be rolled up: measure "customers" needs the cached core\'s exact dimensions (query: (none); core: region)',
    ],
    ['neither dimensions nor measures', {}, { dims: ['region'], measures: ['orders'] }, 'a query with neither dimensions nor measures returns the source row count, which no cached core holds'],
  ])('%s', (_, wanted, held, reason) => {
    expect(measuresReaggregable(plan(wanted), core(held))).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
