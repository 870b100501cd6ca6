import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { LeafMeasure, PlanDimension } from '../../planner/index.ts';
import { mergePartials } from './mergePartials.ts';

const region: PlanDimension = { name: 'region', type: 'string', granularity: null, key: 'region' };
const leaves: LeafMeasure[] = [
  { measure: 'n', fn: 'count', key: 'n.count' },
  { measure: 'hi', fn: 'max', key: 'hi.max' },
  { measure: 'rev', fn: 'sum', key: 'rev.sum' },
];

describe('mergePartials', () => {
  it('merges disjoint parts by group: counts and sums add, maxes combine, nulls are ignored', () => {
    const a = tableFromArrays({ region: ['East', 'West'], 'n.count': Float64Array.of(2, 1), 'hi.max': [5, null], 'rev.sum': [0.1, null] });
    const b = tableFromArrays({ region: ['West', 'East', null], 'n.count': Float64Array.of(3, 1, 4), 'hi.max': [7, 9, 1], 'rev.sum': [2, 0.2, 1] });
    const { table, exact } = mergePartials([a, b], [region], leaves);
    expect(exact).toBe(true);
    expect(table.toArray().map((r) => r.toJSON())).toEqual([
      { region: 'East', 'n.count': 3, 'hi.max': 9, 'rev.sum': 0.3 }, // 0.1 + 0.2, compensated and rounded
      { region: 'West', 'n.count': 4, 'hi.max': 7, 'rev.sum': 2 },
      { region: null, 'n.count': 4, 'hi.max': 1, 'rev.sum': 1 },
    ]);
  });

  it('without dimensions: one group, even over no parts (a count of 0, a null sum)', () => {
    const { table } = mergePartials([], [], leaves);
    expect(table.toArray().map((r) => r.toJSON())).toEqual([{ 'n.count': 0, 'hi.max': null, 'rev.sum': null }]);
  });

  it('sums distinct counts as an upper bound and says the merge is not exact', () => {
    const distinct: LeafMeasure = { measure: 'c', fn: 'countDistinct', key: 'c.countDistinct' };
    const parts = [tableFromArrays({ 'c.countDistinct': Float64Array.of(3) }), tableFromArrays({ 'c.countDistinct': Float64Array.of(4) })];
    const { table, exact } = mergePartials(parts, [], [distinct]);
    expect(exact).toBe(false);
    expect(table.get(0)!.toJSON()).toEqual({ 'c.countDistinct': 7 });
  });
});
