import type { Scalar } from '../../planner/index.ts';

/**
 * Orders two non-null values of one dimension type as SQL does: numbers numerically,
 * booleans false before true, strings by code unit (the byte order of the C collation for
 * all characters of the Basic Multilingual Plane).
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
