import { describe, expect, it } from 'vitest';
import type { LeafFunction } from '../../planner/index.ts';
import type { NumberColumn } from './columns.ts';
import { groupRows } from './groupRows.ts';
import { reaggregate } from './reaggregate.ts';

const leaf = (values: (number | null)[]): NumberColumn => ({
  values: Float64Array.from(values, (v) => v ?? 0),
  valid: Uint8Array.from(values, (v) => (v === null ? 0 : 1)),
});
const show = (c: NumberColumn) => Array.from(c.values, (v, i) => (c.valid && c.valid[i] === 0 ? null : v));

/** Rows grouped by key: a a b null a b; the leaf's values per row. */
const key = { codes: Int32Array.of(0, 0, 1, 2, 0, 1), values: ['a', 'b', null] };
const rows = Int32Array.of(0, 1, 2, 3, 4, 5);

describe('reaggregate', () => {
  it.each<[LeafFunction, (number | null)[], (number | null)[]]>([
    ['sum', [1, 2, null, 4, 0.5, null], [3.5, null, 4]],
    ['count', [1, 2, 0, 4, 0, 0], [3, 0, 4]],
    ['min', [3, null, 5, null, -1, 2], [-1, 2, null]],
    ['max', [3, null, 5, 9, -1, 7], [3, 7, 9]],
  ])('%s of sub-aggregates, nulls ignored', (fn, values, expected) => {
    expect(show(reaggregate(fn, leaf(values), rows, groupRows([key], rows)))).toEqual(expected);
  });

  it('adds sums as the source does: decimal partials without binary noise, whole numbers exact', () => {
    const one = groupRows([], Int32Array.of(0, 1, 2, 3));
    const all = Int32Array.of(0, 1, 2, 3);
    // Landed partial sums of 1964.85; added plainly they give 1964.8500000000001.
    expect(show(reaggregate('sum', leaf([785.94, 392.97, 392.97, 392.97]), all, one))).toEqual([1964.85]);
    // 16 digits: cut to 15 significant digits this would be 1234567890123460.
    expect(show(reaggregate('sum', leaf([1234567890123450, 3, 3, 1]), all, one))).toEqual([1234567890123457]);
  });

  it('keeps one group without keys, even over no rows', () => {
    const none = new Int32Array(0);
    const groups = groupRows([], none);
    expect(groups.count).toBe(1);
    expect(show(reaggregate('sum', leaf([1]), none, groups))).toEqual([null]);
    expect(show(reaggregate('count', leaf([1]), none, groups))).toEqual([0]);
    expect(show(reaggregate('max', leaf([1]), none, groups))).toEqual([null]);
  });

  it('groups by several keys, numbering groups by first appearance', () => {
    const other = { codes: Int32Array.of(1, 0, 1, 1, 1, 1), values: [false, true] };
    const groups = groupRows([key, other], rows);
    expect(groups.count).toBe(4);
    expect([...groups.groupOf]).toEqual([0, 1, 2, 3, 0, 2]);
    expect([...groups.firstRow]).toEqual([0, 1, 2, 3]);
  });

  it('groups only the kept rows', () => {
    const kept = Int32Array.of(2, 4, 5);
    const groups = groupRows([key], kept);
    expect([...groups.groupOf]).toEqual([0, 1, 0]);
    expect([...groups.firstRow]).toEqual([2, 4]);
    expect(show(reaggregate('sum', leaf([1, 2, 3, 4, 5, 6]), kept, groups))).toEqual([9, 5]);
  });
});
