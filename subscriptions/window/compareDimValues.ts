import type { DimensionValue } from './types.ts';

/**
 * Orders dimension values as Tributary's query results do (ORDER BY ... NULLS LAST, C
 * collation; mirrors cache/derive/compareScalars): null after everything, numbers
 * numerically, booleans false before true, strings by code unit.
 */
export function compareDimValues(a: DimensionValue, b: DimensionValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
