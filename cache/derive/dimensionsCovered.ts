import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * Every dimension of the query must be grouped in the core: non-time dimensions by the
 * same key; time dimensions at some granularity (whether it rolls up is `timeRollsUp`).
 */
export function dimensionsCovered(target: AggregatePlan, source: CorePlan): Verdict {
  for (const d of target.dimensions) {
    const held = source.dimensions.filter((c) => c.name === d.name);
    if (held.length === 0) return reject(`dimension "${d.name}" is not in the cached core`);
    if (d.type !== 'time' && !held.some((c) => c.key === d.key)) {
      return reject(`dimension "${d.key}" is not in the cached core (it holds ${held.map((c) => `"${c.key}"`).join(', ')})`);
    }
  }
  return OK;
}
