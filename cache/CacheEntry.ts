import type { Table } from 'apache-arrow';
import { planBytes, type CorePlan } from '../planner/index.ts';

/** One cached aggregate core: its plan, its rows as Arrow, and bookkeeping. */
export interface CacheEntry {
  /** planKey(core): the cache key. */
  readonly key: string;
  readonly core: CorePlan;
  readonly table: Table;
  /** What the table and the core plan hold (see entryBaseBytes); fixed when stored. */
  readonly baseBytes: number;
  /**
   * What the entry holds now, the figure cache.maxBytes bounds: baseBytes plus its memos
   * (derived answers and column encodings). Grows as answers are derived from the entry;
   * only the store updates it, so the LRU's total stays the sum of its entries.
   */
  bytes: number;
  readonly createdAt: number;
  /**
   * Answers already computed from this entry, by plan key: a dashboard repeats the same
   * few views, and a repeat then costs a map lookup instead of a derivation. Bounded by
   * MAX_DERIVED_PER_ENTRY tables of at most MAX_DERIVED_ROWS rows each (a top-N of 10,000
   * rows is a dashboard table too: re-deriving it per HIT costs more than serving it), and
   * by bytes: every memo counts toward the entry's bytes, which maxBytes bounds, and one is
   * kept only while the entry stays within half of maxBytes; dropped with the entry.
   */
  readonly derived: Map<string, Table>;
}

export const MAX_DERIVED_PER_ENTRY = 32;
export const MAX_DERIVED_ROWS = 50_000;

/** Bytes an Arrow table holds (buffers of every batch). */
export function tableBytes(table: Table): number {
  let bytes = 0;
  for (const batch of table.batches) bytes += batch.data.byteLength;
  return Math.max(bytes, 1);
}

/** What an entry holds before any memo: its Arrow buffers and its core plan (with the canonical text remembered for it). */
export function entryBaseBytes(core: CorePlan, table: Table): number {
  return tableBytes(table) + planBytes(core);
}
