import { describe, expect, it } from 'vitest';
import type { Filter } from '../../planner/index.ts';
import { sliceFilters } from './sliceFilters.ts';
import type { SliceCell } from './sliceGrid.ts';

const wall = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const CELLS: SliceCell[] = [
  { from: null, to: wall('2024-01-01') },
  { from: wall('2024-01-01'), to: wall('2024-04-01') },
  { from: wall('2024-04-01'), to: wall('2024-07-01') },
  { from: wall('2024-07-01'), to: null },
];
const ts = (op: 'gte' | 'gt' | 'lt' | 'lte', value: string): Filter => ({ kind: 'compare', field: 'ts', op, value });
const region: Filter = { kind: 'compare', field: 'region', op: 'eq', value: 'East' };

describe('sliceFilters', () => {
  it('without bounds: every cell, newest first, each filtered to its cell and the rest of the filter', () => {
    const slices = sliceFilters(region, 'ts', CELLS, 'UTC');
    expect(slices.map((s) => s.cell)).toEqual([...CELLS].reverse());
    expect(slices[0]!.filter).toEqual({ kind: 'and', args: [region, ts('gte', '2024-07-01T00:00:00.000Z')] });
    expect(slices[3]!.filter).toEqual({ kind: 'and', args: [region, ts('lt', '2024-01-01T00:00:00.000Z')] });
  });

  it('keeps only the cells the bounds reach; a cell wholly inside drops the bounds, an edge cell keeps them', () => {
    const filter: Filter = { kind: 'and', args: [region, ts('gte', '2024-02-15T00:00:00.000Z'), ts('lt', '2024-07-01T00:00:00.000Z')] };
    const slices = sliceFilters(filter, 'ts', CELLS, 'UTC');
    expect(slices.map((s) => s.cell)).toEqual([CELLS[2], CELLS[1]]);
    // 2024-04..07 lies inside [02-15, 07-01): the same plan as any range that contains it.
    expect(slices[0]!.filter).toEqual({ kind: 'and', args: [region, ts('gte', '2024-04-01T00:00:00.000Z'), ts('lt', '2024-07-01T00:00:00.000Z')] });
    expect(JSON.stringify(slices[1]!.filter)).toContain('2024-02-15');
  });

  it('treats a strict lower and an inclusive upper bound on a cell boundary as not inside', () => {
    const filter: Filter = { kind: 'and', args: [ts('gt', '2024-01-01T00:00:00.000Z'), ts('lte', '2024-04-01T00:00:00.000Z')] };
    const slices = sliceFilters(filter, 'ts', CELLS, 'UTC');
    // (01-01, 04-01]: the cell 2024-01..04 (its start excluded) and the instant 04-01 of the next.
    expect(slices.map((s) => s.cell)).toEqual([CELLS[2], CELLS[1]]);
    for (const s of slices) expect(JSON.stringify(s.filter)).toContain('"op":"gt"');
  });

  it('places cell boundaries at wall-clock starts in the dataset zone', () => {
    const [newest] = sliceFilters(null, 'ts', CELLS, 'America/New_York');
    expect(newest!.filter).toEqual(ts('gte', '2024-07-01T04:00:00.000Z'));
  });
});
