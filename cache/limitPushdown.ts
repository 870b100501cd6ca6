import type { AggregatePlan } from '../planner/index.ts';
import type { LargeCore } from './LargeCores.ts';

/**
 * Limit-pushdown policy.
 *
 * The cache prefers to fetch a plan's whole aggregate core, so that re-sorting, paging,
 * top-N, having and roll-ups are answered from it later. That is wrong for a top-N over
 * a huge grouping (top 10 customers of 50,000): fetching every group would move far more
 * rows than asked for. So the core of a top-N is read with a bound: at most
 * `maxCoreRows + 1` rows of the plain core statement (no ORDER BY, no LIMIT in the SQL; the
 * source stops reading, see Source.execute's maxRows), so the source plans it exactly as it
 * would plan the whole core and keeps its aggregation strategy. A core that fits is stored
 * whole: one round trip. One that does not is remembered as large, and the top-N goes to the
 * source with its having, order, limit and offset: two round trips, and one for every later
 * top-N of that core until the entry's ttl or an invalidation. The source's planner is not
 * trusted to decide: grouped-row estimates are often far off (a time bucket is sized by
 * the distinct timestamps under it), and the bounded read answers the question exactly.
 * One exception (LargeCores.ts): a source that must finish a distributed aggregate before
 * it can stop reading (Trino) is asked for an estimate beside the bounded read, and one of
 * at least 10x maxCoreRows cancels the read and pushes down; a wrong one costs the core's
 * cacheability, never a wrong answer.
 * Plans without a limit always fetch the core.
 */
export interface PushdownDecision {
  readonly pushdown: boolean;
  /** Groups an earlier bounded read of the core found, or the source estimated (more than maxCoreRows); null when not known. */
  readonly knownGroups: number | null;
  readonly reason: string;
}

export function decidePushdown(plan: AggregatePlan, large: LargeCore | null, maxCoreRows: number): PushdownDecision {
  const knownGroups = large?.groups ?? null;
  if (plan.limit === null) return { pushdown: false, knownGroups, reason: 'no limit: the whole core is needed' };
  if (plan.dimensions.length === 0) return { pushdown: false, knownGroups, reason: 'no grouping: the core is one row' };
  if (large?.basis === 'estimate') {
    return { pushdown: true, knownGroups, reason: `the source estimates ${Math.round(large.groups)} groups (far more than ${maxCoreRows}): order and limit pushed to the source (one round trip)` };
  }
  if (knownGroups !== null && knownGroups > maxCoreRows) {
    return { pushdown: true, knownGroups, reason: `an earlier read found more than ${maxCoreRows} groups: order and limit pushed to the source (one round trip)` };
  }
  return {
    pushdown: false,
    knownGroups,
    reason: `reading at most ${maxCoreRows + 1} rows of the core (planned as the whole core: no order or limit in its SQL); if it has more, order and limit pushed to the source in a second statement`,
  };
}
