import { assertNever, type AggregatePlan, type CorePlan, type LeafFunction } from '../../planner/index.ts';
import { sameDimensions } from './sameDimensions.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * Every leaf of the query is cached, and can be re-aggregated when the query groups more
 * coarsely than the core: sums and counts add up, mins and maxes combine; distinct
 * counts do not (a value seen in two cached groups would be counted twice).
 */
export function measuresReaggregable(target: AggregatePlan, source: CorePlan): Verdict {
  if (target.dimensions.length === 0 && target.measures.length === 0) {
    return reject('a query with neither dimensions nor measures returns the source row count, which no cached core holds');
  }
  const rollUp = !sameDimensions(target, source);
  for (const leaf of target.measures) {
    if (!source.measures.some((m) => m.key === leaf.key)) return reject(`measure leaf "${leaf.key}" is not in the cached core`);
    if (rollUp && !reaggregable(leaf.fn)) {
      const keys = (ds: readonly { key: string }[]) => ds.map((d) => d.key).join(', ') || '(none)';
      return reject(
        `countDistinct cannot be rolled up: measure "${leaf.measure}" needs the cached core's exact dimensions (query: ${keys(target.dimensions)}; core: ${keys(source.dimensions)})`,
      );
    }
  }
  return OK;
}

function reaggregable(fn: LeafFunction): boolean {
  switch (fn) {
    case 'sum':
    case 'count':
    case 'min':
    case 'max':
      return true;
    case 'countDistinct':
      return false;
    default:
      return assertNever(fn);
  }
}
