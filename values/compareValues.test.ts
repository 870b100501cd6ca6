import { describe, expect, it } from 'vitest';
import { compareNonNull, compareNullsLast, type SqlValue } from './compareValues.ts';

const sign = (n: number) => Math.sign(n) + 0; // + 0 turns -0 into 0 for toBe

describe('compareNonNull (SQL order of one type, C collation)', () => {
  it.each<[SqlValue, SqlValue, number]>([
    [1, 2, -1],
    [2, 1, 1],
    [9, 10, -1], // numerically, not as strings ('10' < '9')
    [-2, -1, -1], // not as strings ('-1' < '-2')
    [-1, 0, -1],
    [-0, 0, 0],
    [0.1 + 0.2, 0.3, 1],
    [1.5, 1.5, 0],
    [false, true, -1],
    [true, false, 1],
    [true, true, 0],
    ['Z', 'a', -1], // code unit order: upper case before lower case
    ['a', 'B', 1],
    ['z', 'é', -1], // U+007A before U+00E9 (a locale order would put é first)
    ['East', 'Eastern', -1], // a prefix first
    ['', 'a', -1],
    ['same', 'same', 0],
  ])('compareNonNull(%j, %j) has sign %i', (a, b, expected) => {
    expect(sign(compareNonNull(a, b))).toBe(expected);
    expect(sign(compareNonNull(b, a))).toBe(sign(-expected));
  });

  it('sorts strings as C collation does, unlike localeCompare', () => {
    expect(['b', 'é', 'B', 'a', 'Z', 'z'].sort(compareNonNull)).toEqual(['B', 'Z', 'a', 'b', 'z', 'é']);
  });
});

describe('compareNullsLast (ORDER BY ... NULLS LAST)', () => {
  it.each<[SqlValue | null, SqlValue | null, number]>([
    [null, null, 0],
    [null, 'a', 1],
    ['a', null, -1],
    [null, -Infinity, 1],
    [Number.MAX_VALUE, null, -1],
    [null, false, 1],
    [true, null, -1],
    ['a', 'b', -1],
    [3, 3, 0],
  ])('compareNullsLast(%j, %j) has sign %i', (a, b, expected) => {
    expect(sign(compareNullsLast(a, b))).toBe(expected);
  });

  it('sorts null after every value', () => {
    expect([null, 'b', null, 'A', 'a'].sort(compareNullsLast)).toEqual(['A', 'a', 'b', null, null]);
    expect([3, null, -1, 0].sort(compareNullsLast)).toEqual([-1, 0, 3, null]);
    expect([true, null, false].sort(compareNullsLast)).toEqual([false, true, null]);
  });
});
