import type { AggregatePlan, CorePlan, Filter, LeafMeasure, PlanDimension, QueryPlans } from '../../planner/index.ts';
import type { Slice } from './sliceFilters.ts';

/** What every slice of one query groups by and aggregates: the rows' dimensions and the leaves of rows and totals. */
export interface SliceShape {
  readonly dataset: string;
  readonly dimensions: readonly PlanDimension[];
  readonly leaves: readonly LeafMeasure[];
  readonly security: readonly Filter[];
  /** The query's own filter (what the merged slices answer). */
  readonly filter: Filter | null;
}

export function sliceShape(plans: QueryPlans): SliceShape {
  const any = (plans.rows ?? plans.totals)!;
  const byKey = new Map<string, LeafMeasure>();
  for (const leaf of [...(plans.rows?.measures ?? []), ...(plans.totals?.measures ?? [])]) byKey.set(leaf.key, leaf);
  const leaves = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { dataset: any.dataset, dimensions: plans.rows?.dimensions ?? [], leaves, security: any.security, filter: any.filter };
}

/**
 * The plan of one slice: the query's groups and leaves over the slice's filter, no having.
 * The cache answers and stores it like any plan, so a slice is a core of its own, found
 * again by a repeat or by a query that shares the cell. Its limit is `maxRows` (the cache's
 * maxCoreRows): the cache then reads at most that many groups plus one (a bounded top-N
 * read) and keeps the whole core when it fits; an answer of `maxRows` rows may be cut, and
 * the caller gives up slicing (a slice's groups must all be there to be merged).
 */
export function slicePlan(shape: SliceShape, slice: Slice, maxRows: number): AggregatePlan {
  return Object.freeze({
    kind: 'aggregate',
    dataset: shape.dataset,
    dimensions: shape.dimensions,
    measures: shape.leaves,
    filter: slice.filter,
    having: null,
    order: Object.freeze(shape.dimensions.map((d) => Object.freeze({ target: 'dimension' as const, field: d.key, direction: 'asc' as const }))),
    limit: maxRows,
    offset: 0,
    security: shape.security,
  });
}

/** The merged slices seen as a cached core of the whole query, grouped by `dimensions`, so deriveTable applies having, order and limit to them. */
export function mergedCore(shape: SliceShape, dimensions: readonly PlanDimension[]): CorePlan {
  return Object.freeze({ kind: 'core', dataset: shape.dataset, dimensions, measures: shape.leaves, filter: shape.filter, security: shape.security, pushdown: null });
}
