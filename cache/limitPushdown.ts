import type { AggregatePlan } from '../planner/index.ts';

/**
 * Limit-pushdown policy.
 *
 * The cache prefers to fetch a plan's whole aggregate core, so that re-sorting, paging,
 * top-N, having and roll-ups are answered from it later. That is wrong for a top-N over
 * a huge grouping (top 10 customers of 50,000): fetching every group would move far more
 * rows than asked for. So, when a plan has a limit and the source's own planner estimates
 * the core at more than `maxCoreRows` groups, the cache probes the core with a limit of
 * `maxCoreRows + 1`: if it fits, it was the whole core and is stored as such (planners
 * overestimate time buckets badly); if not, having, order, limit and offset are pushed to
 * the source, and the small result is cached as a core that answers only the same order
 * and limit. Without an estimate (DuckDB has none; a failed EXPLAIN) the core is fetched
 * with a limit of `maxCoreRows + 1` and, if it reaches that, pushed down the same way:
 * no top-N ever moves an unbounded core. Plans without a limit always fetch the core.
 */
export interface PushdownDecision {
  readonly pushdown: boolean;
  /** The source's estimate of the core's groups; null when none was needed or available. */
  readonly estimatedGroups: number | null;
  readonly reason: string;
}

export function decidePushdown(plan: AggregatePlan, estimatedGroups: number | null, maxCoreRows: number): PushdownDecision {
  if (plan.limit === null) return { pushdown: false, estimatedGroups, reason: 'no limit: the whole core is needed' };
  if (plan.dimensions.length === 0) return { pushdown: false, estimatedGroups, reason: 'no grouping: the core is one row' };
  if (estimatedGroups === null) {
    return { pushdown: false, estimatedGroups, reason: `no estimate from the source: fetching the core bounded at ${maxCoreRows + 1} rows; if the core is larger, order and limit pushed to the source` };
  }
  if (estimatedGroups <= maxCoreRows) {
    return { pushdown: false, estimatedGroups, reason: `estimated ${estimatedGroups} groups <= ${maxCoreRows}: fetching the core` };
  }
  return {
    pushdown: true,
    estimatedGroups,
    reason: `estimated ${estimatedGroups} groups > ${maxCoreRows}: probing ${maxCoreRows + 1} rows; if the core is larger, order and limit pushed to the source`,
  };
}
