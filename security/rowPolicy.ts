import { normalizeFilter, whereToFilter, type Filter } from '../planner/index.ts';
import type { Config, DatasetConfig } from '../schema/index.ts';
import type { Access } from './Access.ts';
import { bindClaims, MISSING_CLAIM } from './bindClaims.ts';
import { grantFor } from './grantFor.ts';

const DENY: readonly Filter[] = Object.freeze([Object.freeze({ kind: 'const', value: false } as const)]);
const NONE: readonly Filter[] = Object.freeze([]);

/** A policy is the config's text, not a client's: no list-size or nesting bounds apply. */
const POLICY_LIMITS = { maxInList: Number.MAX_SAFE_INTEGER, maxFilterDepth: Number.MAX_SAFE_INTEGER };

/**
 * The security predicates a caller's plans over `dataset` carry (LogicalPlan.security):
 * the role's row policy with the token's claims bound, normalized. No access (an open
 * gateway) or a full grant: none. No grant, a missing claim or a claim of the wrong
 * type: one constant-false predicate, so the answer is empty rather than wider.
 */
export function rowPolicy(access: Access | undefined, dataset: DatasetConfig, config: Config): readonly Filter[] {
  if (!access) return NONE;
  const grant = grantFor(access.role, dataset.name, config);
  if (!grant) return DENY;
  if (!grant.rows) return NONE;
  const bound = bindClaims(grant.rows, access.claims);
  if (bound === MISSING_CLAIM) return DENY;
  let filter: Filter | null;
  try {
    filter = normalizeFilter(whereToFilter(bound, dataset, POLICY_LIMITS));
  } catch {
    return DENY; // a claim whose type does not fit the policy's operator
  }
  return filter ? Object.freeze([filter]) : NONE;
}
