import { compareNullsLast, type SqlValue } from './compareValues.ts';

/** One key of an ORDER BY: a field of the row, ascending or descending. */
export interface RowOrderKey {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

/** A row as the comparator reads it: a missing field counts as NULL. */
export type ValueRow = Readonly<Record<string, SqlValue | null | undefined>>;

/**
 * A comparator of rows for `ORDER BY k1 dir1 NULLS LAST, k2 dir2 NULLS LAST, ...`, the order
 * compileSql emits: the first key that differs decides; values compare as compareNullsLast;
 * `desc` reverses the order of non-null values only, so NULL sorts last in either direction.
 * Rows equal on every key compare as 0 (Array.prototype.sort keeps their order).
 */
export function compareRowsBy(order: readonly RowOrderKey[]): (a: ValueRow, b: ValueRow) => number {
  return (a, b) => {
    for (const { field, direction } of order) {
      const x = a[field] ?? null;
      const y = b[field] ?? null;
      const c = compareNullsLast(x, y);
      if (c === 0) continue;
      const nullDecides = x === null || y === null;
      return direction === 'asc' || nullDecides ? c : -c;
    }
    return 0;
  };
}
