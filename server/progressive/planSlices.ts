import type { AggregatePlan, QueryPlans } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { sliceFilters, type Slice } from './sliceFilters.ts';
import { sliceGrid } from './sliceGrid.ts';
import { slicePlan, sliceShape, type SliceShape } from './slicePlans.ts';
import type { TimeExtent } from './timeExtent.ts';

/** A query cut into slices: what they share, each slice (newest first) and its plan. */
export interface SlicedQuery {
  readonly shape: SliceShape;
  readonly slices: readonly Slice[];
  readonly plans: readonly AggregatePlan[];
}

/** The slices of a query over its dataset's grid, each read up to `maxRows` groups (slicePlan); null when it makes fewer than two. */
export function planSlices(dataset: DatasetConfig, plans: QueryPlans, extent: TimeExtent, maxRows: number): SlicedQuery | null {
  const by = dataset.progressive?.by;
  if (!by || (!plans.rows && !plans.totals)) return null;
  const shape = sliceShape(plans);
  const slices = sliceFilters(shape.filter, by, sliceGrid(extent.first, extent.last, dataset.progressive!.slices), dataset.timezone);
  if (slices.length <= 1) return null;
  return { shape, slices, plans: slices.map((slice) => slicePlan(shape, slice, maxRows)) };
}
