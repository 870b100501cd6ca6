import type { SubscriptionShape, WindowState } from '../subscriptions/index.ts';
import { compareRowsBy } from '../values/index.ts';
import type { ResultRow } from './tableToRows.ts';

/**
 * A window version's rows as one subscription shows them: dimensions and measures as one
 * flat row, in the subscription's order, then its offset and limit (calcs are attached by
 * the caller).
 */
export function windowRows(state: WindowState, shape: SubscriptionShape): ResultRow[] {
  const rows: ResultRow[] = state.rows.map((r) => ({ ...r.dims, ...r.measures }));
  rows.sort(compareRowsBy(shape.rows.order));
  return rows.slice(shape.rows.offset, shape.rows.limit === null ? undefined : shape.rows.offset + shape.rows.limit);
}
