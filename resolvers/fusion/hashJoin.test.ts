import { Bool, Float64, Int32, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../test/support/seededRandom.ts';
import { hashJoin, type JoinKind } from './hashJoin.ts';
import { makeTable, randomSide, referenceJoin, rowsOf, type Cell } from './joinFixtures.ts';

const sales = makeTable({
  region: ['string', ['East', 'West', null, 'North', 'East']],
  month: ['number', [1, 1, 1, 2, 2]],
  revenue: ['number', [10, 20, 30, 40, null]],
});
const targets = makeTable({
  area: ['string', ['West', 'East', 'South', null, 'East']],
  period: ['number', [1, 2, 1, 1, 1]],
  target: ['number', [200, 500, 300, 999, 100]],
  onTrack: ['boolean', [true, null, false, true, false]],
});

interface Case {
  readonly title: string;
  readonly kind: JoinKind;
  readonly keys: readonly (readonly [string, string, string])[]; // left, right, output
  readonly expected: Cell[][];
}

const CASES: readonly Case[] = [
  {
    title: 'inner on a composite key keeps left order',
    kind: 'inner',
    keys: [['region', 'area', 'region'], ['month', 'period', 'month']],
    expected: [
      ['East', 1, 10, 100, false],
      ['West', 1, 20, 200, true],
      ['East', 2, null, 500, null],
    ],
  },
  {
    title: 'left keeps unmatched and null-key left rows, with nulls for the right side',
    kind: 'left',
    keys: [['region', 'area', 'region'], ['month', 'period', 'month']],
    expected: [
      ['East', 1, 10, 100, false],
      ['West', 1, 20, 200, true],
      [null, 1, 30, null, null],
      ['North', 2, 40, null, null],
      ['East', 2, null, 500, null],
    ],
  },
  {
    title: 'full appends unmatched right rows (null keys never match) in right order, with right key values',
    kind: 'full',
    keys: [['region', 'area', 'region'], ['month', 'period', 'month']],
    expected: [
      ['East', 1, 10, 100, false],
      ['West', 1, 20, 200, true],
      [null, 1, 30, null, null],
      ['North', 2, 40, null, null],
      ['East', 2, null, 500, null],
      ['South', 1, null, 300, false],
      [null, 1, null, 999, true],
    ],
  },
  {
    title: 'duplicate keys give the cross product: each left row, its matches in right order',
    kind: 'inner',
    keys: [['region', 'area', 'r']],
    expected: [
      ['East', 1, 10, 2, 500, null],
      ['East', 1, 10, 1, 100, false],
      ['West', 1, 20, 1, 200, true],
      ['East', 2, null, 2, 500, null],
      ['East', 2, null, 1, 100, false],
    ],
  },
  {
    title: 'a single numeric key',
    kind: 'full',
    keys: [['month', 'period', 'm']],
    expected: [
      ...[['East', 10], ['West', 20], [null, 30]].flatMap(([region, revenue]) => [
        [1, region!, revenue!, 'West', 200, true],
        [1, region!, revenue!, 'South', 300, false],
        [1, region!, revenue!, null, 999, true],
        [1, region!, revenue!, 'East', 100, false],
      ]),
      [2, 'North', 40, 'East', 500, null],
      [2, 'East', null, 'East', 500, null],
    ],
  },
];

describe('hashJoin', () => {
  it.each(CASES)('$title', ({ kind, keys, expected }) => {
    const out = hashJoin(kind, sales, targets, keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]));
    expect(rowsOf(out)).toEqual(expected);
    expect(out.schema.fields.map((f) => f.name)).toEqual([
      ...keys.map((k) => k[2]),
      ...['region', 'month', 'revenue'].filter((c) => !keys.some((k) => k[0] === c)),
      ...['area', 'period', 'target', 'onTrack'].filter((c) => !keys.some((k) => k[1] === c)),
    ]);
  });

  it('preserves Arrow types, including Utf8, Float64 and Bool non-key columns', () => {
    const out = hashJoin('full', sales, targets, ['month'], ['period'], ['month']);
    const types = Object.fromEntries(out.schema.fields.map((f) => [f.name, f.type]));
    expect(types.month).toBeInstanceOf(Float64);
    expect(types.region).toBeInstanceOf(Utf8);
    expect(types.area).toBeInstanceOf(Utf8);
    expect(types.onTrack).toBeInstanceOf(Bool);
    expect(out.schema.fields.every((f) => f.nullable)).toBe(true);
  });

  it('joins on a composite key of string, number and boolean; -0 equals 0', () => {
    const left = makeTable({ s: ['string', ['a', 'a', 'b', null]], n: ['number', [-0, 1, 0, 0]], b: ['boolean', [true, true, false, true]], x: ['number', [1, 2, 3, 4]] });
    const right = makeTable({ s: ['string', ['a', 'b', 'a', 'b']], n: ['number', [0, 0, 1, 0]], b: ['boolean', [true, true, false, null]], y: ['string', ['p', 'q', 'r', 's']] });
    const out = hashJoin('full', left, right, ['s', 'n', 'b'], ['s', 'n', 'b'], ['s', 'n', 'b']);
    expect(rowsOf(out)).toEqual([
      ['a', -0, true, 1, 'p'],
      ['a', 1, true, 2, null],
      ['b', 0, false, 3, null],
      [null, 0, true, 4, null],
      ['b', 0, true, null, 'q'],
      ['a', 1, false, null, 'r'],
      ['b', 0, null, null, 's'],
    ]);
  });

  it('joins other Arrow types value by value (Int32 key, Int32 and Utf8 columns)', () => {
    const left = new Table({ id: vectorFromArray([1, 2, null, 4], new Int32()), n: vectorFromArray([10, 20, 30, 40], new Int32()) });
    const right = new Table({ id: vectorFromArray([4, 1, 5], new Int32()), label: vectorFromArray(['d', 'a', 'e'], new Utf8()) });
    const out = hashJoin('full', left, right, ['id'], ['id'], ['id']);
    expect(rowsOf(out)).toEqual([
      [1, 10, 'a'],
      [2, 20, null],
      [null, 30, null],
      [4, 40, 'd'],
      [5, null, 'e'],
    ]);
    expect(out.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Int32', 'Utf8']);
  });

  it.each<[string, JoinKind, number]>([
    ['inner', 'inner', 0],
    ['left', 'left', 5],
    ['full', 'full', 5],
  ])('joins an empty right side (%s)', (_, kind, rows) => {
    const out = hashJoin(kind, sales, targets.slice(0, 0), ['region'], ['area'], ['region']);
    expect(out.numRows).toBe(rows);
    expect(out.numCols).toBe(6);
  });

  it.each<[JoinKind, number]>([
    ['inner', 0],
    ['left', 0],
    ['full', 5],
  ])('joins an empty left side (%s)', (kind, rows) => {
    const out = hashJoin(kind, new Table(sales.schema), targets, ['region'], ['area'], ['region']);
    expect(out.numRows).toBe(rows);
    expect(rowsOf(out).map((r) => r[0])).toEqual(['West', 'East', 'South', null, 'East'].slice(0, rows));
  });

  it('reads sliced and multi-chunk inputs', () => {
    const random = seededRandom(7);
    const a = randomSide(random, 'a', 300, 2, 250);
    const b = randomSide(random, 'b', 300, 2, 250);
    const left = a.table.slice(5, 200).concat(a.table.slice(40, 120));
    const right = b.table.slice(3).concat(b.table.slice(0, 50), b.table.slice(90, 91));
    const out = hashJoin('full', left, right, ['aRegion', 'aMonth'], ['bRegion', 'bMonth'], ['region', 'month']);
    expect(rowsOf(out)).toEqual(referenceJoin('full', left, right, ['aRegion', 'aMonth'], ['bRegion', 'bMonth']));
  });

  it.each<[string, number]>([
    ['dense key combinations (direct table)', 40],
    ['sparse key combinations (hashed pairs)', 5_000],
  ])('matches a nested-loop join on many distinct keys: %s', (_, distinct) => {
    const random = seededRandom(distinct);
    const side = (n: number, prefix: string) =>
      makeTable({
        k1: ['string', Array.from({ length: n }, () => (random() < 0.02 ? null : `k${Math.floor(random() * distinct)}`))],
        k2: ['number', Array.from({ length: n }, () => Math.floor(random() * distinct) * 1000)],
        [`${prefix}v`]: ['number', Array.from({ length: n }, (_, i) => i)],
      });
    const left = side(3_000, 'l');
    const right = side(2_000, 'r');
    for (const kind of ['inner', 'left', 'full'] as const) {
      const out = hashJoin(kind, left, right, ['k1', 'k2'], ['k1', 'k2'], ['k1', 'k2']);
      expect(rowsOf(out)).toEqual(referenceJoin(kind, left, right, ['k1', 'k2'], ['k1', 'k2']));
    }
  });

  it.each<[string, () => unknown, string]>([
    [
      'a non-key column on both sides',
      () => hashJoin('inner', sales, makeTable({ area: ['string', []], revenue: ['number', []] }), ['region'], ['area'], ['region']),
      'hashJoin: output column "revenue" would appear twice; non-key columns of the two sides must be distinct from each other and from the output keys (region)',
    ],
    [
      'a non-key column named like an output key',
      () => hashJoin('inner', sales, targets, ['month'], ['period'], ['region']),
      'hashJoin: output column "region" would appear twice; non-key columns of the two sides must be distinct from each other and from the output keys (region)',
    ],
    [
      'a missing key column',
      () => hashJoin('inner', sales, targets, ['region'], ['regoin'], ['region']),
      'hashJoin: the right table has no key column "regoin"; its columns: area, period, target, onTrack',
    ],
    [
      'keys of different types',
      () => hashJoin('left', sales, targets, ['month'], ['area'], ['month']),
      'hashJoin: key "month" must have one type on both sides; left "month" is Float64, right "area" is Utf8',
    ],
    [
      'key lists of different lengths',
      () => hashJoin('full', sales, targets, ['region', 'month'], ['area'], ['region']),
      'hashJoin: expected as many left, right and output keys, at least one; received 2 left (region, month), 1 right (area), 1 output (region)',
    ],
    ['a key listed twice', () => hashJoin('full', sales, targets, ['region', 'region'], ['area', 'period'], ['a', 'b']), 'hashJoin: left key "region" is listed twice'],
    ['an unknown kind', () => hashJoin('right' as JoinKind, sales, targets, ['region'], ['area'], ['region']), 'hashJoin: expected kind inner, left or full; received: "right"'],
  ])('rejects %s', (_, run, message) => {
    expect(run).toThrow(new Error(message));
  });
});
