import { canonicalJson, coreOf, type AggregatePlan, type CorePlan } from '../../planner/index.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * A core fetched with having, order, limit or offset applied at the source holds only the
 * rows that survived them, so it answers exactly one plan: the one it was fetched for.
 */
export function pushdownMatches(target: AggregatePlan, source: CorePlan): Verdict {
  if (source.pushdown === null) return OK;
  if (canonicalJson(coreOf(target, true)) === canonicalJson(source)) return OK;
  return reject('cached with order/limit pushed to the source; answers only the same order and limit');
}
