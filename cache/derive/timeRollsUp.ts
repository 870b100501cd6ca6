import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import type { Granularity } from '../../schema/index.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * The buckets each granularity nests in exactly. Weeks cross month and year boundaries,
 * so a week bucket rolls up to nothing but itself; days roll up to weeks and to months.
 */
const NESTS_IN: Readonly<Record<Granularity, readonly Granularity[]>> = {
  second: ['minute'],
  minute: ['hour'],
  hour: ['day'],
  day: ['week', 'month'],
  week: [],
  month: ['quarter'],
  quarter: ['year'],
  year: [],
};

/** Whether every `fine` bucket lies within one `coarse` bucket (same zone: one dataset, one zone). */
export function rollsUpTo(fine: Granularity, coarse: Granularity): boolean {
  return fine === coarse || NESTS_IN[fine].some((next) => rollsUpTo(next, coarse));
}

/** Each time dimension of the query is held by the core at a granularity that rolls up to it. */
export function timeRollsUp(target: AggregatePlan, source: CorePlan): Verdict {
  for (const d of target.dimensions) {
    if (d.type !== 'time' || d.granularity === null) continue;
    const held = source.dimensions.filter((c) => c.name === d.name && c.granularity !== null).map((c) => c.granularity!);
    if (held.length === 0) continue; // dimensionsCovered reports the missing dimension
    if (!held.some((g) => rollsUpTo(g, d.granularity!))) {
      return reject(`time dimension "${d.name}" by ${d.granularity} cannot be rolled up from the cached core's ${held.join(', ')} buckets`);
    }
  }
  return OK;
}
