import type { AggregatePlan, CorePlan } from '../planner/index.ts';

const plansOfCores = new WeakMap<CorePlan, AggregatePlan>();

/** The plan that fetches exactly a core: its pushdown steps, or none. */
export function planOfCore(core: CorePlan): AggregatePlan {
  const known = plansOfCores.get(core);
  if (known) return known;
  const plan: AggregatePlan = {
    kind: 'aggregate',
    dataset: core.dataset,
    dimensions: core.dimensions,
    measures: core.measures,
    filter: core.filter,
    security: core.security,
    having: core.pushdown?.having ?? null,
    order: core.pushdown?.order ?? [],
    limit: core.pushdown?.limit ?? null,
    offset: core.pushdown?.offset ?? 0,
  };
  // A frozen core (memoized for repeated requests) keeps one frozen plan, so what is
  // remembered per plan (its statement, sources/compileFor.ts) is found again.
  if (Object.isFrozen(core)) plansOfCores.set(core, Object.freeze(plan));
  return plan;
}
