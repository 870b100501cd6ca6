import type { Table } from 'apache-arrow';
import type { CorePlan } from '../planner/index.ts';

/** One cached aggregate core: its plan, its rows as Arrow, and bookkeeping. */
export interface CacheEntry {
  /** planKey(core): the cache key. */
  readonly key: string;
  readonly core: CorePlan;
  readonly table: Table;
  readonly bytes: number;
  readonly createdAt: number;
  /**
   * Answers already computed from this entry, by plan key: a dashboard repeats the same
   * few views, and a repeat then costs a map lookup instead of a derivation. Bounded by
   * MAX_DERIVED_PER_ENTRY small tables; dropped with the entry.
   */
  readonly derived: Map<string, Table>;
}

export const MAX_DERIVED_PER_ENTRY = 32;
export const MAX_DERIVED_ROWS = 2_000;

/** Bytes an Arrow table holds (buffers of every batch): what the cache bounds. */
export function tableBytes(table: Table): number {
  let bytes = 0;
  for (const batch of table.batches) bytes += batch.data.byteLength;
  return Math.max(bytes, 1);
}
