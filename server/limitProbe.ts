import type { Table } from 'apache-arrow';
import type { AggregatePlan } from '../planner/index.ts';

/** A rows plan asked for one row more than it returns, to learn whether the limit cut it. */
export interface LimitProbe {
  /** The plan to run: the same, with `limit + 1`. */
  readonly plan: AggregatePlan;
  /** The first `limit` rows of the probe's result, and whether there was one more. */
  trim(table: Table): { readonly table: Table; readonly truncated: boolean };
}

/**
 * `meta.truncated` costs one row: the rows plan is run with `limit + 1` (through the cache
 * like any plan, so repeated queries share it), and the extra row, if it came, is dropped.
 * Counting the rows past the limit would cost a second query; one more row answers
 * "is there more?", which is all a client needs to warn about partial data.
 */
export function limitProbe(plan: AggregatePlan): LimitProbe {
  let probe = probes.get(plan);
  if (!probe) {
    probe = probeOf(plan);
    if (Object.isFrozen(plan)) probes.set(plan, probe);
  }
  return probe;
}

/**
 * The probe of each frozen plan: a repeated request (the same frozen plan, from the plan
 * memo) gets the same probe plan, so its cache key is not computed again.
 */
const probes = new WeakMap<AggregatePlan, LimitProbe>();

function probeOf(plan: AggregatePlan): LimitProbe {
  const limit = plan.limit;
  if (limit === null) return { plan, trim: (table) => ({ table, truncated: false }) };
  return {
    plan: Object.freeze({ ...plan, limit: limit + 1 }),
    trim: (table) => (table.numRows > limit ? { table: table.slice(0, limit), truncated: true } : { table, truncated: false }),
  };
}
