import { describe, expect, it } from 'vitest';
import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import { core, desc, f, plan } from './deriveTestPlans.ts';
import { pushdownMatches } from './pushdownMatches.ts';

const REASON = 'cached with order/limit pushed to the source; answers only the same order and limit';
const top5 = { dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 5 };

describe('pushdownMatches', () => {
  it.each<[string, AggregatePlan, CorePlan, string | null]>([
    ['a core without pushdown answers any order', plan({ ...top5, limit: 3 }), core({ dims: ['region'], measures: ['revenue'] }), null],
    ['the same top-N', plan(top5), core(top5, true), null],
    ['another limit', plan({ ...top5, limit: 10 }), core(top5, true), REASON],
    ['another offset', plan({ ...top5, offset: 5 }), core(top5, true), REASON],
    ['another direction', plan({ ...top5, order: [desc('region', 'dimension')] }), core(top5, true), REASON],
    ['a having', plan({ ...top5, having: f.cmp('revenue', 'gt', 10) }), core(top5, true), REASON],
    ['a stricter filter', plan({ ...top5, filter: f.eq('channel', 'web') }), core(top5, true), REASON],
    ['fewer measures', plan({ ...top5, measures: [], order: [] }), core({ ...top5, order: [] }, true), REASON],
  ])('%s', (_, target, source, reason) => {
    expect(pushdownMatches(target, source)).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
