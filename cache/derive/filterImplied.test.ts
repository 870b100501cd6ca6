import { describe, expect, it } from 'vitest';
import { printFilter, type Filter } from '../../planner/index.ts';
import { core, DERIVE_TEST_DATASET, f, plan } from './deriveTestPlans.ts';
import { filterImplied, residualFilter } from './filterImplied.ts';

const dims = ['region', 'channel', 'quantity', 'orderDate.day'];
const east = f.eq('region', 'East');
const web = f.in('channel', ['store', 'web']);
const big = f.cmp('quantity', 'gte', 5);

/** Query filter, core filter, the reason (null: implied), the printed residual. */
describe('filterImplied and residualFilter', () => {
  it.each<[string, Filter | null, Filter | null, string | null, string | null]>([
    ['no filters', null, null, null, null],
    ['a core without filter', f.and(east, web), null, null, '(channel in ["store","web"] and region = "East")'],
    ['the same filter', f.and(east, web), f.and(web, east), null, null],
    ['one more conjunct', f.and(east, web, big), f.and(east, web), null, 'quantity >= 5'],
    ['a narrower IN', f.and(f.eq('channel', 'web'), east), f.and(east, web), null, 'channel = "web"'],
    ['a tighter range', f.cmp('quantity', 'gt', 6), big, null, 'quantity > 6'],
    ['a conjunct the query lacks', east, f.and(east, web), 'the cached core\'s filter channel in ["store","web"] is not implied by the query\'s filter', null],
    ['a looser IN', f.in('channel', ['partner', 'web']), web, 'the cached core\'s filter channel in ["store","web"] is not implied by the query\'s filter', null],
    ['an OR of the core conjunct', f.or(east, f.isNull('region')), east, 'the cached core\'s filter region = "East" is not implied by the query\'s filter', null],
    ['a core OR kept by the query', f.and(f.or(east, f.isNull('region')), big), f.or(east, f.isNull('region')), null, 'quantity >= 5'],
  ])('%s', (_, wanted, held, reason, residual) => {
    const target = plan({ dims, filter: wanted });
    const source = core({ dims, filter: held });
    expect(filterImplied(target, source, DERIVE_TEST_DATASET)).toEqual(reason === null ? { ok: true } : { ok: false, reason });
    if (reason === null) {
      const rest = residualFilter(target, source);
      expect(rest && printFilter(rest)).toBe(residual);
    }
  });
});
