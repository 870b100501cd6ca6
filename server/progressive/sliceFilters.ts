import { normalizeFilter, wallToInstant, type Filter } from '../../planner/index.ts';
import type { SliceCell } from './sliceGrid.ts';

/** The part of a query that a slice reads: its cell of the grid, and the plan filter for it. */
export interface Slice {
  readonly cell: SliceCell;
  readonly filter: Filter | null;
}

/**
 * The slices of a query over the cells of its dataset's grid. The query's own bounds on the
 * slicing dimension (top-level `gte`/`gt`/`lt`/`lte` conjuncts of its filter) pick the cells
 * that can hold rows; each slice's filter is the query's filter and the cell. A cell that
 * lies wholly inside the query's bounds drops those bounds from its filter (they hold for
 * every row of the cell), so a query over another range that contains the same cell makes
 * the same slice plan: the cache answers it. Newest first.
 */
export function sliceFilters(filter: Filter | null, by: string, cells: readonly SliceCell[], timezone: string): readonly Slice[] {
  const conjuncts = filter === null ? [] : filter.kind === 'and' ? filter.args : [filter];
  const isBound = (f: Filter) => f.kind === 'compare' && f.field === by && f.op !== 'eq' && f.op !== 'ne' && typeof f.value === 'string';
  const bounds = conjuncts.filter(isBound) as Extract<Filter, { kind: 'compare' }>[];
  const rest = conjuncts.filter((f) => !isBound(f));
  const instant = (f: { value: unknown }) => Date.parse(f.value as string);
  // Rows satisfy lo <= t < hi. Bounds are whole milliseconds and times may be finer, so a
  // strict `gt` and an inclusive `lte` are moved by less than a millisecond: a cell (whole
  // units) then lies inside exactly when every time it holds passes the bounds.
  const EPSILON = 0.001;
  const lower = bounds.filter((b) => b.op === 'gte' || b.op === 'gt');
  const upper = bounds.filter((b) => b.op === 'lt' || b.op === 'lte');
  const lo = lower.length > 0 ? Math.max(...lower.map((b) => instant(b) + (b.op === 'gt' ? EPSILON : 0))) : -Infinity;
  const hi = upper.length > 0 ? Math.min(...upper.map((b) => instant(b) + (b.op === 'lte' ? EPSILON : 0))) : Infinity;
  const slices: Slice[] = [];
  for (const cell of cells) {
    const from = cell.from === null ? -Infinity : wallToInstant(cell.from, timezone);
    const to = cell.to === null ? Infinity : wallToInstant(cell.to, timezone);
    if (to <= lo || from >= hi) continue;
    const inside = from >= lo && to <= hi;
    const edges: Filter[] = [];
    if (cell.from !== null) edges.push({ kind: 'compare', field: by, op: 'gte', value: new Date(from).toISOString() });
    if (cell.to !== null) edges.push({ kind: 'compare', field: by, op: 'lt', value: new Date(to).toISOString() });
    const args = [...rest, ...(inside ? [] : bounds), ...edges];
    slices.push({ cell, filter: normalizeFilter(args.length === 0 ? null : { kind: 'and', args }) });
  }
  return slices.reverse();
}
