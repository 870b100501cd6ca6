import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { briefFilter } from './briefFilter.ts';
import { conjunctImplies } from './conjunctImplies.ts';
import { conjunctsOf } from './filterImplied.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * Row policies and the cache (DESIGN.md, "Planner, cache and derivation rules"):
 * a cached core answers a query only when every security conjunct the core was fetched
 * under is implied by one of the query's own security conjuncts. So a role reads cores
 * fetched under its own policy or a broader one (an admin's core, fetched under none),
 * never under a narrower or a different one; an admin never reads a tenant's core.
 *
 * The query's security conjuncts that the core does not hold are part of the residual
 * filter (filterImplied.residualFilter), so `residualUsesCoreDimensions` admits the core
 * only when it holds every dimension the policy reads, and the policy is applied to the
 * cached rows before they are rolled up. A missing claim (constant false) derives an
 * empty answer from any core.
 */
export function securityImplied(target: AggregatePlan, source: CorePlan, dataset: DatasetConfig): Verdict {
  const wanted = target.security.flatMap(conjunctsOf);
  for (const held of source.security.flatMap(conjunctsOf)) {
    if (!wanted.some((q) => conjunctImplies(q, held, dataset))) {
      return reject(`the cached core was fetched under security predicate ${briefFilter(held)}, which the query's own policy does not imply`);
    }
  }
  return OK;
}
