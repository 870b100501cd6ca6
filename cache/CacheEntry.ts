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
}

/** Bytes an Arrow table holds (buffers of every batch): what the cache bounds. */
export function tableBytes(table: Table): number {
  let bytes = 0;
  for (const batch of table.batches) bytes += batch.data.byteLength;
  return Math.max(bytes, 1);
}
