import { canonicalJson, printFilter, type AggregatePlan, type CorePlan, type Filter } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { conjunctImplies } from './conjunctImplies.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * The query's filter must imply the core's: every cached conjunct is implied by some
 * query conjunct, so the cached rows include every row the query wants. (Security
 * predicates are compared by `securityMatches`.)
 */
export function filterImplied(target: AggregatePlan, source: CorePlan, dataset: DatasetConfig): Verdict {
  const wanted = conjunctsOf(target.filter);
  for (const c of conjunctsOf(source.filter)) {
    if (!wanted.some((q) => conjunctImplies(q, c, dataset))) {
      return reject(`the cached core's filter ${printFilter(c)} is not implied by the query's filter`);
    }
  }
  return OK;
}

/**
 * What remains to apply to the cached rows: every query conjunct that is not one of the
 * core's conjuncts (those hold for every cached row already). Null when nothing remains.
 */
export function residualFilter(target: AggregatePlan, source: CorePlan): Filter | null {
  const cached = new Set(conjunctsOf(source.filter).map(canonicalJson));
  const rest = conjunctsOf(target.filter).filter((q) => !cached.has(canonicalJson(q)));
  if (rest.length === 0) return null;
  if (rest.length === 1) return rest[0]!;
  return Object.freeze({ kind: 'and', args: Object.freeze(rest) });
}

/** A normalized filter's conjuncts: the arguments of a top-level AND, or the filter itself. */
export function conjunctsOf(filter: Filter | null): readonly Filter[] {
  if (filter === null) return [];
  return filter.kind === 'and' ? filter.args : [filter];
}
