import type { CorePlan, PlanDimension } from '../../planner/index.ts';
import { rollsUpTo } from './timeRollsUp.ts';

/**
 * The core dimension a query dimension is computed from: the same key when the core has
 * it, else the coarsest time grouping that rolls up to it (fewest buckets to truncate).
 * The caller has checked `canDerive`.
 */
export function sourceDimensionOf(dimension: PlanDimension, source: CorePlan): PlanDimension {
  const same = source.dimensions.find((d) => d.key === dimension.key);
  if (same) return same;
  const finer = source.dimensions.filter(
    (d) => d.name === dimension.name && d.granularity !== null && dimension.granularity !== null && rollsUpTo(d.granularity, dimension.granularity),
  );
  // Among groupings that all roll up to the target, a coarser one rolls up to the finer.
  const coarsest = finer.reduce<PlanDimension | undefined>((best, d) => (!best || rollsUpTo(best.granularity!, d.granularity!) ? d : best), undefined);
  if (!coarsest) throw new Error(`dimension "${dimension.key}" cannot be computed from the cached core (check canDerive first)`);
  return coarsest;
}
