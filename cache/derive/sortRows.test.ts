import { describe, expect, it } from 'vitest';
import { dimensionSortKey, measureSortKey } from './sortKeys.ts';
import { sortRows } from './sortRows.ts';

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const region = { codes: Int32Array.of(0, 1, 2, 0, 3), values: ['West', 'East', null, 'Ëast'] };
const revenue = { values: Float64Array.of(5, 0, 9, -2, 0), valid: Uint8Array.of(1, 0, 1, 1, 1) };

describe('sortRows', () => {
  it.each<[string, Float64Array[], number, number | null, number[]]>([
    ['strings ascending by code unit, null last', [dimensionSortKey(region, 'asc')], 0, null, [1, 0, 3, 4, 2]],
    ['strings descending, null still last', [dimensionSortKey(region, 'desc')], 0, null, [4, 0, 3, 1, 2]],
    ['numbers ascending, null last', [measureSortKey(revenue, 'asc')], 0, null, [3, 4, 0, 2, 1]],
    ['numbers descending, null last', [measureSortKey(revenue, 'desc')], 0, null, [2, 0, 4, 3, 1]],
    ['ties broken by the next key', [measureSortKey({ values: Float64Array.of(1, 1, 1, 0, 0), valid: null }, 'asc'), dimensionSortKey(region, 'desc')], 0, null, [4, 3, 0, 1, 2]],
    ['then by position', [measureSortKey({ values: Float64Array.of(1, 1, 1, 0, 0), valid: null }, 'desc')], 0, null, [0, 1, 2, 3, 4]],
    ['offset and limit', [measureSortKey(revenue, 'asc')], 1, 2, [4, 0]],
    ['limit 0', [measureSortKey(revenue, 'asc')], 0, 0, []],
    ['offset past the end', [measureSortKey(revenue, 'asc')], 9, null, []],
  ])('%s', (_, keys, offset, limit, expected) => {
    expect([...sortRows(all(5), keys, offset, limit)]).toEqual(expected);
  });

  it('the top-N shortcut agrees with a full sort', () => {
    const n = 5000;
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = Float64Array.from({ length: n }, () => Math.floor(next() * 50));
    const valid = Uint8Array.from({ length: n }, () => (next() < 0.1 ? 0 : 1));
    const keys = [measureSortKey({ values, valid }, 'desc')];
    const full = [...sortRows(all(n), keys, 0, null)];
    for (const [offset, limit] of [[0, 10], [7, 25], [0, 1], [90, 10]] as const) {
      expect([...sortRows(all(n), keys, offset, limit)]).toEqual(full.slice(offset, offset + limit));
    }
  });
});
