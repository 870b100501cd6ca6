/**
 * How Tributary orders SQL values: the one definition the cache, the stream windows, the
 * resolvers and the planner share, so a derived answer, a live window and a database query
 * list the same rows in the same order.
 */

/** A non-null SQL value as Tributary carries it: a string, a number or a boolean. */
export type SqlValue = string | number | boolean;

/**
 * Orders two non-null values of one type as SQL does: numbers numerically (-0 equals 0),
 * booleans false before true, strings by UTF-16 code unit, which is the byte order of the C
 * collation for every character of the Basic Multilingual Plane ('Z' < 'a' < 'é'). Values of
 * different types (which one column never holds) are compared as their strings.
 * Returns a negative number, 0 or a positive number, as Array.prototype.sort expects.
 */
export function compareNonNull(a: SqlValue, b: SqlValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Orders values as compareNonNull does, with NULL after every value. This is ascending
 * ORDER BY ... NULLS LAST; for descending order only the non-null comparison is reversed
 * (Tributary puts NULL last in both directions, see compareRowsBy).
 */
export function compareNullsLast(a: SqlValue | null, b: SqlValue | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  return compareNonNull(a, b);
}
