import { GRANULARITIES } from '../../schema/index.ts';
import type { CorePlan, PlanDimension } from '../../planner/index.ts';

/**
 * The core's finest grouping of a time dimension: the column residual time predicates
 * are checked against and evaluated on. The caller knows the core holds `name`.
 */
export function finestTimeDimension(source: CorePlan, name: string): PlanDimension {
  const held = source.dimensions.filter((d) => d.name === name);
  const rank = (d: PlanDimension) => GRANULARITIES.indexOf(d.granularity!);
  return held.reduce((best, d) => (rank(d) < rank(best) ? d : best));
}
