import type { Table } from 'apache-arrow';
import { deriveTable, mergePartials } from '../../cache/index.ts';
import type { QueryPlans } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import type { PlanResult } from '../GatewayContract.ts';
import { limitProbe } from '../limitProbe.ts';
import { mergedCore, type SliceShape } from './slicePlans.ts';

export interface MergedSlices {
  readonly rows: PlanResult | null;
  readonly totals: PlanResult | null;
  readonly truncated: boolean;
  /** False when a distinct count is the sum of its slices' counts (an upper bound). */
  readonly exact: boolean;
}

/**
 * The query's answer over the slices done so far: their groups merged (mergePartials), then
 * the rows plan's having, order, offset and limit applied as to a cached core, and the
 * totals rolled up from the same merged groups.
 */
export function mergeSlices(plans: QueryPlans, shape: SliceShape, tables: readonly Table[], dataset: DatasetConfig): MergedSlices {
  let rows: PlanResult | null = null;
  let truncated = false;
  let exact = true;
  if (plans.rows) {
    const merged = mergePartials(tables, shape.dimensions, shape.leaves);
    const probe = limitProbe(plans.rows);
    const trimmed = probe.trim(deriveTable(probe.plan, mergedCore(shape, shape.dimensions), merged.table, dataset));
    rows = { plan: plans.rows, table: trimmed.table };
    truncated = trimmed.truncated;
    exact &&= merged.exact;
  }
  let totals: PlanResult | null = null;
  if (plans.totals) {
    const merged = mergePartials(tables, [], shape.leaves);
    totals = { plan: plans.totals, table: deriveTable(plans.totals, mergedCore(shape, []), merged.table, dataset) };
    exact &&= merged.exact;
  }
  return { rows, totals, truncated, exact };
}
