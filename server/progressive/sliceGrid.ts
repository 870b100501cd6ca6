import { truncateWall } from '../../planner/index.ts';
import type { Granularity } from '../../schema/index.ts';

/** A cell of the grid, in wall-clock epoch ms; null bounds are open (the first and last cells). */
export interface SliceCell {
  readonly from: number | null;
  readonly to: number | null;
}

const UNITS: readonly Granularity[] = ['year', 'quarter', 'month', 'week', 'day', 'hour'];
const FIXED_MS: Partial<Record<Granularity, number>> = { week: 7 * 86_400_000, day: 86_400_000, hour: 3_600_000 };
const MONTHS: Partial<Record<Granularity, number>> = { year: 12, quarter: 3, month: 1 };

/**
 * Cuts a dataset's time extent (its first and last wall times) into about `slices` cells
 * whose inner boundaries are starts of calendar units (years, quarters, months, weeks, days
 * or hours in the dataset's zone), so that a repeat of a query, and a query over part of the
 * range, meet the same cells and find them cached. The unit is the coarsest that gives at
 * least two units per slice, so slices differ in length by at most one unit, except the
 * newest: it is the last unit alone, so the first version (newest first) comes after the
 * smallest read. The first cell is open below and the last open above: rows outside the
 * extent (added since it was read) still fall in a cell. Fewer cells come back when the
 * extent is shorter than `slices` hours.
 */
export function sliceGrid(first: number, last: number, slices: number): readonly SliceCell[] {
  if (slices <= 1 || !(last > first)) return [{ from: null, to: null }];
  let starts: number[] = [];
  for (const unit of UNITS) {
    starts = unitStarts(first, last, unit);
    if (starts.length >= 2 * slices) break;
  }
  // The newest unit is a slice of its own (the first version comes as early as it can);
  // the older units are cut into the other slices.
  const newest = starts[starts.length - 1]!;
  const older = starts.slice(0, -1);
  const count = Math.min(slices - 1, older.length);
  // Inner boundaries: the unit starts at evenly spaced positions (position 0 is the open start).
  const boundaries: number[] = [];
  for (let i = 1; i < count; i++) {
    const at = older[Math.round((i * older.length) / count)];
    if (at !== undefined && at !== boundaries.at(-1)) boundaries.push(at);
  }
  if (newest !== boundaries.at(-1) && older.length > 0) boundaries.push(newest);
  const cells: SliceCell[] = [];
  let from: number | null = null;
  for (const to of boundaries) {
    cells.push({ from, to });
    from = to;
  }
  cells.push({ from, to: null });
  return cells;
}

/** The start of every `unit` bucket that holds a wall time in [first, last]. */
function unitStarts(first: number, last: number, unit: Granularity): number[] {
  const starts: number[] = [];
  let at = truncateWall(first, unit);
  // Bounded: 64 slices want at most 128 units, and hours are the finest unit tried.
  while (at <= last && starts.length <= 100_000) {
    starts.push(at);
    at = nextStart(at, unit);
  }
  return starts;
}

function nextStart(start: number, unit: Granularity): number {
  const fixed = FIXED_MS[unit];
  if (fixed !== undefined) return start + fixed;
  // Wall times are calendar fields read as UTC (planner/time/zonedTime.ts): months step by fields.
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + MONTHS[unit]!, 1);
}
