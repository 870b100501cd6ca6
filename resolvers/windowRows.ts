import type { OrderKey } from '../planner/index.ts';
import type { SubscriptionShape, WindowState } from '../subscriptions/index.ts';
import type { ResultRow } from './tableToRows.ts';

/**
 * A window version's rows as one subscription shows them: dimensions and measures as one
 * flat row, in the subscription's order, then its offset and limit (calcs are attached by
 * the caller).
 */
export function windowRows(state: WindowState, shape: SubscriptionShape): ResultRow[] {
  const rows: ResultRow[] = state.rows.map((r) => ({ ...r.dims, ...r.measures }));
  rows.sort(compareBy(shape.rows.order));
  return rows.slice(shape.rows.offset, shape.rows.limit === null ? undefined : shape.rows.offset + shape.rows.limit);
}

/** SQL-like order: each key ascending or descending, nulls last either way; strings by code point. */
export function compareBy(order: readonly OrderKey[]) {
  return (a: ResultRow, b: ResultRow): number => {
    for (const o of order) {
      const x = a[o.field] ?? null;
      const y = b[o.field] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : 1;
      return o.direction === 'asc' ? c : -c;
    }
    return 0;
  };
}
