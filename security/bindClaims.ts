/** A string value `"$claims.<path>"` in a row policy stands for that claim of the verified token. */
const CLAIM = /^\$claims\.(.+)$/;

/** Returned when a policy reads a claim the token does not have: the policy denies every row. */
export const MISSING_CLAIM = Symbol('missing claim');

/**
 * Replaces every `"$claims.<path>"` in a row policy (the where grammar) with the claim's
 * value. A list claim inside a list (`in: ["$claims.regions"]`) is spliced into it. Returns
 * MISSING_CLAIM when any referenced claim is absent or null: a missing claim never widens.
 */
export function bindClaims(policy: unknown, claims: Readonly<Record<string, unknown>>): unknown {
  let missing = false;
  const bind = (value: unknown): unknown => {
    if (typeof value === 'string') {
      const path = CLAIM.exec(value)?.[1];
      if (path === undefined) return value;
      const claim = readClaim(claims, path);
      if (!isClaimValue(claim)) missing = true;
      return claim;
    }
    if (Array.isArray(value)) {
      return value.flatMap((item) => {
        const bound = bind(item);
        return isClaimRef(item) && Array.isArray(bound) ? bound : [bound];
      });
    }
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bind(v)]));
    return value;
  };
  const bound = bind(policy);
  return missing ? MISSING_CLAIM : bound;
}

export function isClaimRef(value: unknown): value is string {
  return typeof value === 'string' && CLAIM.test(value);
}

/** Scalars, or a list of scalars; anything else (null, objects) counts as missing. */
function isClaimValue(value: unknown): boolean {
  const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
  return scalar(value) || (Array.isArray(value) && value.every(scalar));
}

/**
 * A claim by path: the whole path as one key first (namespaced claims such as
 * `https://example.com/regions` contain dots), else dot by dot through nested objects.
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let at: unknown = claims;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}
