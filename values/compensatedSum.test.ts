import { describe, expect, it } from 'vitest';
import { compensatedTotal, cutSum, neumaierCompensation, readCompensatedSum } from './compensatedSum.ts';

/** Adds `addends` in order as the cache's roll-ups do: a running sum, a compensation, one read. */
function compensatedSum(addends: readonly number[]): number {
  let sum = 0;
  let compensation = 0;
  for (const addend of addends) {
    const next = sum + addend;
    compensation += neumaierCompensation(sum, next, addend);
    sum = next;
  }
  return readCompensatedSum(sum, compensation);
}

/** The same addends added plainly, as a database adds doubles. */
function plainSum(addends: readonly number[]): number {
  return addends.reduce((sum, addend) => sum + addend, 0);
}

describe('compensated sums', () => {
  it.each<[string, readonly number[], number]>([
    ['0.1 + 0.2', [0.1, 0.2], 0.3],
    ['landed window sums of 1964.85', [785.94, 392.97, 392.97, 392.97], 1964.85],
    ['negative amounts', [-0.1, -0.2], -0.3],
    ['mixed signs', [-1764.51, 0.01, -0.5], -1765],
    ['1e16 + 1 - 1e16 (the 1 that the plain sum drops)', [1e16, 1, -1e16], 1],
    ['1 + 1e100 + 1 - 1e100 (the addend is the larger: Kahan would lose it)', [1, 1e100, 1, -1e100], 2],
    ['nothing', [], 0],
  ])('%s reads %s', (_name, addends, expected) => {
    expect(compensatedSum(addends)).toBe(expected);
  });

  it('gives back exact decimal totals that the plain double sum misses', () => {
    // Prices in cents: the exact total of i cents for i = 1..1000 is 5005 (500500 cents).
    const addends = Array.from({ length: 1000 }, (_, i) => (i + 1) / 100);
    expect(plainSum(addends)).not.toBe(5005);
    expect(compensatedSum(addends)).toBe(5005);
    const landed = [785.94, 392.97, 392.97, 392.97];
    expect(plainSum(landed)).not.toBe(1964.85);
  });

  it('keeps whole-number sums exact up to 2^53 (they are not cut to 15 digits)', () => {
    const parts = [2 ** 52, 2 ** 51, 2 ** 50, 2 ** 50 - 1];
    expect(compensatedSum(parts)).toBe(2 ** 53 - 1);
    expect(compensatedSum([1234567890123456, 1])).toBe(1234567890123457); // 16 digits
    expect(Number((1234567890123457).toPrecision(15))).not.toBe(1234567890123457);
  });

  it('lets infinities and NaN through instead of the NaN of ∞ − ∞ in the compensation', () => {
    expect(compensatedSum([1, Infinity, 2])).toBe(Infinity);
    expect(compensatedSum([-Infinity, -0.5])).toBe(-Infinity);
    expect(compensatedSum([Number.MAX_VALUE, Number.MAX_VALUE])).toBe(Infinity); // overflow
    expect(compensatedSum([Infinity, -Infinity])).toBeNaN();
    expect(compensatedSum([1, NaN])).toBeNaN();
  });
});

describe('neumaierCompensation', () => {
  it.each<[number, number, number]>([
    [1e16, 1, 1], // 1e16 + 1 rounds to 1e16: the 1 is lost
    [1, 1e16, 1], // the larger addend second: still the 1
    [0.1, 0.2, -2.7755575615628914e-17], // 0.1 + 0.2 overshoots 0.3 by this much
    [3, 4, 0], // exact
  ])('of %s + %s is %s', (sum, addend, expected) => {
    expect(neumaierCompensation(sum, sum + addend, addend)).toBe(expected);
  });
});

describe('compensatedTotal', () => {
  it.each<[number, number, number]>([
    [1e16, 2, 10000000000000002],
    [1.5, 0.25, 1.75],
    [Infinity, NaN, Infinity],
    [-Infinity, NaN, -Infinity],
  ])('of %s and %s is %s', (sum, compensation, expected) => {
    expect(compensatedTotal(sum, compensation)).toBe(expected);
  });
});

describe('cutSum', () => {
  it.each<[number, number]>([
    [0.30000000000000004, 0.3],
    [1964.8500000000001, 1964.85],
    [-1964.8500000000001, -1964.85],
    [2 ** 53 - 1, 2 ** 53 - 1],
    [1234567890123457, 1234567890123457],
    [1.2345678901234567, 1.23456789012346],
    [1e-20, 1e-20],
    [Infinity, Infinity],
    [-Infinity, -Infinity],
    [0, 0],
  ])('cutSum(%s) is %s', (value, expected) => {
    expect(cutSum(value)).toBe(expected);
  });

  it('passes NaN through', () => {
    expect(cutSum(NaN)).toBeNaN();
  });
});
