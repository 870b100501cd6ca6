import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/** A core answers only plans over its own dataset. */
export function sameDataset(target: AggregatePlan, source: CorePlan): Verdict {
  if (target.dataset === source.dataset) return OK;
  return reject(`the cached core is of dataset "${source.dataset}", the query of "${target.dataset}"`);
}
