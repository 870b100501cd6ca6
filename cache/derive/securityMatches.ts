import { canonicalJson, printFilter, type AggregatePlan, type CorePlan, type Filter } from '../../planner/index.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * Rows fetched under one set of access policies never answer another set, not even a
 * stricter one: keeping each security context's cache apart is simpler to audit than
 * proving implications between policies.
 */
export function securityMatches(target: AggregatePlan, source: CorePlan): Verdict {
  const wanted = keyed(target.security);
  const held = keyed(source.security);
  for (const [key, f] of held) {
    if (!wanted.has(key)) return reject(`the cached core was fetched under security predicate ${printFilter(f)}, which the query does not have`);
  }
  for (const [key, f] of wanted) {
    if (!held.has(key)) return reject(`the query has security predicate ${printFilter(f)}, which the cached core was not fetched under`);
  }
  return OK;
}

function keyed(filters: readonly Filter[]): Map<string, Filter> {
  return new Map(filters.map((f) => [canonicalJson(f), f]));
}
