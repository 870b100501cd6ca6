import { describe, expect, it } from 'vitest';
import { canDerive } from './canDerive.ts';
import { at, core, DERIVE_TEST_DATASET, desc, f, plan, type PlanSpec } from './deriveTestPlans.ts';

const base: PlanSpec = { dims: ['region', 'channel', 'orderDate.day'], measures: ['revenue', 'orders', 'avgPrice', 'customers'] };

/** Hand-written pairs: query, core, the reason of the first failing rule (null: derivable). */
describe('canDerive', () => {
  it.each<[string, PlanSpec, PlanSpec, string | null, boolean?]>([
    ['drill up in time with a stricter aligned filter', { dims: ['region', 'orderDate.month'], measures: ['revenue', 'avgPrice'], filter: f.cmp('orderDate', 'gte', at('2024-06-01')) }, base, null],
    ['re-sort and top-N of the exact core', { ...base, order: [desc('revenue')], limit: 3, having: f.cmp('orders', 'gt', 2) }, base, null],
    ['totals', { measures: ['revenue', 'orders'] }, base, null],
    ['the pushed-down plan itself', { ...base, order: [desc('revenue')], limit: 3 }, { ...base, order: [desc('revenue')], limit: 3 }, null, true],
    ['another page of a pushed-down plan', { ...base, order: [desc('revenue')], limit: 3, offset: 3 }, { ...base, order: [desc('revenue')], limit: 3 }, 'cached with order/limit pushed to the source; answers only the same order and limit', true],
    ["a tenant's policy applied to an admin's core", { ...base, security: [f.eq('region', 'East')] }, base, null],
    ["a tenant's core for an admin", base, { ...base, security: [f.eq('region', 'East')] }, 'the cached core was fetched under security predicate region = "East", which the query\'s own policy does not imply'],
    ['a dimension the core lacks', { dims: ['quantity'], measures: ['revenue'] }, base, 'dimension "quantity" is not in the cached core'],
    ['a finer time', { dims: ['orderDate.hour'], measures: ['revenue'] }, base, 'time dimension "orderDate" by hour cannot be rolled up from the cached core\'s day buckets'],
    ['a measure the core lacks', { dims: ['region'], measures: ['maxAmount'] }, base, 'measure leaf "maxAmount.max" is not in the cached core'],
    ['a distinct count rolled up', { dims: ['region'], measures: ['customers'] }, base, 'countDistinct cannot be rolled up: measure "customers" needs the cached core\'s exact dimensions (query: region; core: channel, orderDate.day, region)'],
    ['a looser filter', { dims: ['region'], measures: ['revenue'] }, { ...base, filter: f.eq('channel', 'web') }, 'the cached core\'s filter channel = "web" is not implied by the query\'s filter'],
    ['a residual on a dimension the core lacks', { dims: ['region'], measures: ['revenue'], filter: f.eq('returned', true) }, base, 'filter on "returned" needs a dimension the cached core does not have'],
    ['a residual time bound inside a bucket', { dims: ['region'], measures: ['revenue'], filter: f.cmp('orderDate', 'gte', at('2024-06-01T12:00')) }, base, 'filter orderDate >= "2024-06-01T16:00:00.000Z" does not fall on the start of a day bucket in America/New_York, so it would split a cached bucket'],
    ['a residual time bound near DST', { dims: ['region'], measures: ['revenue'], filter: f.cmp('orderDate', 'lt', at('2024-11-04')) }, base, 'filter orderDate < "2024-11-04T05:00:00.000Z" is within two days of a UTC offset change in America/New_York, where wall-clock buckets are ambiguous'],
    ['the first failing rule is reported', { dims: ['quantity'], measures: ['maxAmount'] }, base, 'dimension "quantity" is not in the cached core'],
  ])('%s', (_, wanted, held, reason, pushdown = false) => {
    const verdict = canDerive(plan(wanted), core(held, pushdown), DERIVE_TEST_DATASET);
    expect(verdict).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
