import type { AggregatePlan, CorePlan } from '../../planner/index.ts';

/**
 * Whether the plan groups by exactly the core's dimension keys, so that each cached row
 * is one result row and nothing is rolled up. Both lists are sorted by key (plan invariant).
 */
export function sameDimensions(target: AggregatePlan, source: CorePlan): boolean {
  const a = target.dimensions;
  const b = source.dimensions;
  return a.length === b.length && a.every((d, i) => d.key === b[i]!.key);
}
