import type { Table } from 'apache-arrow';
import { LRUCache } from 'lru-cache';
import type { AggregatePlan, QueryPlans } from '../../planner/index.ts';

/** Cells (rows × columns) of the fused tables kept, all fusions together. */
const KEPT_CELLS = 2_000_000;

/** What a fusion answer derives from its members' tables: rows (trimmed) and totals. */
export interface Fused {
  readonly rows: { readonly plan: AggregatePlan; readonly table: Table } | null;
  readonly totals: { readonly plan: AggregatePlan; readonly table: Table } | null;
  readonly truncated: boolean;
}

interface Kept extends Fused {
  readonly members: readonly Table[];
}

/**
 * Fused results of recent requests, by their plans (the planner hands back the same plans
 * object for a repeated request) and checked against the member tables they were joined
 * from: a repeated request whose members are all HITs on the same cache entries reuses the
 * join, the derivation and, through the same tables, the rows built from them
 * (resolvers/calcRows.ts). Arrow tables are never changed, so requests may share them.
 * Bounded by cells, least recently used first out.
 */
const kept = new LRUCache<QueryPlans, Kept>({
  maxSize: KEPT_CELLS,
  sizeCalculation: (k) => Math.max(1, cells(k.rows?.table) + cells(k.totals?.table)),
});

/** The fused result for these plans and member tables: remembered, or made by `fuse` and remembered. */
export function fusedAnswer(plans: QueryPlans, members: readonly Table[], fuse: () => Fused): Fused {
  const found = kept.get(plans);
  if (found && found.members.length === members.length && found.members.every((t, i) => t === members[i])) return found;
  const fused = fuse();
  kept.set(plans, { ...fused, members }); // lru-cache skips one larger than the whole bound
  return fused;
}

function cells(table: Table | undefined): number {
  return table ? table.numRows * table.numCols : 0;
}
