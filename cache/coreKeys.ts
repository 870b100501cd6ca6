import { coreOf, planKey, type AggregatePlan } from '../planner/index.ts';

/** Keys of a plan's two cores (as is, and with its pushdown steps), by frozen plan object. */
const known = new WeakMap<AggregatePlan, readonly [string, string]>();

/**
 * planKey(coreOf(plan, pushdown)), remembered per frozen plan: the plan memo hands a
 * repeated request the same frozen plan, so its HIT looks up two strings instead of
 * building two core objects and hashing them again. A plan that is not frozen could change
 * after its keys were taken, so it is keyed afresh every time.
 */
export function coreKeyOf(plan: AggregatePlan, pushdown: boolean): string {
  let keys = known.get(plan);
  if (!keys) {
    keys = [planKey(coreOf(plan, false)), planKey(coreOf(plan, true))];
    if (Object.isFrozen(plan)) known.set(plan, keys);
  }
  return keys[pushdown ? 1 : 0];
}
