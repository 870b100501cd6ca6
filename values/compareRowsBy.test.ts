import { describe, expect, it } from 'vitest';
import { compareRowsBy, type RowOrderKey, type ValueRow } from './compareRowsBy.ts';

const ROWS: ValueRow[] = [
  { id: 1, region: 'East', revenue: 10 },
  { id: 2, region: null, revenue: 30 },
  { id: 3, region: 'West', revenue: null },
  { id: 4, region: 'East', revenue: 20 },
  { id: 5, region: 'east', revenue: 10 },
  { id: 6, revenue: 5 }, // region missing: NULL
];

const idsSortedBy = (order: RowOrderKey[]) => [...ROWS].sort(compareRowsBy(order)).map((r) => r.id);

describe('compareRowsBy (ORDER BY k dir NULLS LAST, ...)', () => {
  it.each<[string, RowOrderKey[], number[]]>([
    ['no keys keeps the input order', [], [1, 2, 3, 4, 5, 6]],
    ['ascending, code unit order, nulls last, ties stay', [{ field: 'region', direction: 'asc' }], [1, 4, 3, 5, 2, 6]],
    ['descending keeps nulls last', [{ field: 'region', direction: 'desc' }], [5, 3, 1, 4, 2, 6]],
    ['numbers ascending, null last', [{ field: 'revenue', direction: 'asc' }], [6, 1, 5, 4, 2, 3]],
    ['numbers descending, null still last', [{ field: 'revenue', direction: 'desc' }], [2, 4, 1, 5, 6, 3]],
    [
      'the first key that differs decides',
      [
        { field: 'region', direction: 'asc' },
        { field: 'revenue', direction: 'desc' },
      ],
      [4, 1, 3, 5, 2, 6],
    ],
    [
      'a later key breaks ties between nulls',
      [
        { field: 'region', direction: 'desc' },
        { field: 'revenue', direction: 'asc' },
      ],
      [5, 3, 1, 4, 6, 2],
    ],
  ])('%s', (_, order, expected) => {
    expect(idsSortedBy(order)).toEqual(expected);
  });

  it('orders booleans false before true, and reverses them descending', () => {
    const rows: ValueRow[] = [{ b: true }, { b: null }, { b: false }];
    expect([...rows].sort(compareRowsBy([{ field: 'b', direction: 'asc' }]))).toEqual([{ b: false }, { b: true }, { b: null }]);
    expect([...rows].sort(compareRowsBy([{ field: 'b', direction: 'desc' }]))).toEqual([{ b: true }, { b: false }, { b: null }]);
  });
});
