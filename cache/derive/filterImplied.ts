import { canonicalJson, type AggregatePlan, type CorePlan, type Filter } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { briefFilter } from './briefFilter.ts';
import { conjunctImplies } from './conjunctImplies.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * The query's filter must imply the core's: every cached conjunct is implied by some
 * query conjunct (its filter's or its row policy's), so the cached rows include every row
 * the query wants. (The core's own security predicates are checked by `securityImplied`.)
 */
export function filterImplied(target: AggregatePlan, source: CorePlan, dataset: DatasetConfig): Verdict {
  const wanted = rowConjuncts(target);
  for (const c of conjunctsOf(source.filter)) {
    if (!wanted.some((q) => conjunctImplies(q, c, dataset))) {
      return reject(`the cached core's filter ${briefFilter(c)} is not implied by the query's filter`);
    }
  }
  return OK;
}

/**
 * What remains to apply to the cached rows: every query conjunct, of its filter or of its
 * row policy, that is not one of the core's conjuncts (those hold for every cached row
 * already). Null when nothing remains.
 */
export function residualFilter(target: AggregatePlan, source: CorePlan): Filter | null {
  const cached = new Set(rowConjuncts(source).map(canonicalJson));
  const rest = rowConjuncts(target).filter((q) => !cached.has(canonicalJson(q)));
  if (rest.length === 0) return null;
  if (rest.length === 1) return rest[0]!;
  return Object.freeze({ kind: 'and', args: Object.freeze(rest) });
}

/** Everything that selects a plan's rows: its filter's conjuncts, then its security predicates'. */
function rowConjuncts(plan: { readonly filter: Filter | null; readonly security: readonly Filter[] }): readonly Filter[] {
  return [...conjunctsOf(plan.filter), ...plan.security.flatMap(conjunctsOf)];
}

/** A normalized filter's conjuncts: the arguments of a top-level AND, or the filter itself. */
export function conjunctsOf(filter: Filter | null): readonly Filter[] {
  if (filter === null) return [];
  return filter.kind === 'and' ? filter.args : [filter];
}
