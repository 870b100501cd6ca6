import { describe, expect, it } from 'vitest';
import { and3, every3, FALSE, not3, or3, some3, TRUE, truthOf, UNKNOWN, type Truth } from './truth.ts';

const T = TRUE;
const F = FALSE;
const U = UNKNOWN;
const name = (t: Truth) => (t === TRUE ? 'TRUE' : t === FALSE ? 'FALSE' : 'UNKNOWN');

describe('SQL three-valued logic', () => {
  it('has three distinct values', () => {
    expect(new Set([FALSE, TRUE, UNKNOWN]).size).toBe(3);
  });

  // The full tables of SQL:2016 (Kleene logic): [a, b, a AND b, a OR b].
  it.each<[Truth, Truth, Truth, Truth]>([
    [T, T, T, T],
    [T, F, F, T],
    [T, U, U, T],
    [F, T, F, T],
    [F, F, F, F],
    [F, U, F, U],
    [U, T, U, T],
    [U, F, F, U],
    [U, U, U, U],
  ])('%s AND/OR %s', (a, b, and, or) => {
    expect(name(and3(a, b))).toBe(name(and));
    expect(name(or3(a, b))).toBe(name(or));
  });

  it.each<[Truth, Truth]>([
    [T, F],
    [F, T],
    [U, U],
  ])('NOT %s', (a, expected) => {
    expect(name(not3(a))).toBe(name(expected));
  });

  it('maps a known boolean to TRUE or FALSE', () => {
    expect(truthOf(true)).toBe(TRUE);
    expect(truthOf(false)).toBe(FALSE);
  });

  it('every3 and some3 fold a list as AND and OR, stop where the answer is decided, and read the context', () => {
    const seen: Truth[] = [];
    const read = (t: Truth, offset: number) => (seen.push(t), (t + offset) as Truth);
    expect(every3([], read, 0)).toBe(T);
    expect(some3([], read, 0)).toBe(F);
    expect(every3([T, U, T], read, 0)).toBe(U);
    expect(some3([F, U, F], read, 0)).toBe(U);
    seen.length = 0;
    expect(every3([T, F, U], read, 0)).toBe(F);
    expect(seen).toEqual([T, F]); // nothing after the FALSE is read
    seen.length = 0;
    expect(some3([F, T, U], read, 0)).toBe(T);
    expect(seen).toEqual([F, T]);
    expect(every3([F], read, 1)).toBe(T); // the context reaches the reader: FALSE + 1 is TRUE
  });
});
