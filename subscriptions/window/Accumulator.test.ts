import { describe, expect, it } from 'vitest';
import { Accumulator, isValidInput } from './Accumulator.ts';
import type { Aggregation, MeasureInput } from './types.ts';

describe('Accumulator', () => {
  it.each<[Aggregation, MeasureInput[], number | null]>([
    ['sum', [3, null, 5, -1], 7],
    ['sum', [], null],
    ['sum', [null, null], null],
    ['sum', [0], 0],
    ['count', [1, 1, 1], 3],
    ['count', [3, null, 0], 2],
    ['count', [null], 0],
    ['avg', [1, 2, null, 6], 3],
    ['avg', [null], null],
    ['min', [3, null, -2, 7], -2],
    ['min', [], null],
    ['max', [3, null, -2, 7], 7],
    ['max', [null], null],
    ['countDistinct', ['a', null, 'b', 'a'], 2],
    ['countDistinct', [1, 1, 2, null], 2],
    ['countDistinct', [null], 0],
  ])('%s of %j is %s', (aggregation, inputs, expected) => {
    const acc = new Accumulator(aggregation);
    for (const value of inputs) acc.add(value);
    expect(acc.result()).toBe(expected);
  });

  it.each<[Aggregation, MeasureInput[], MeasureInput[], number | null]>([
    ['sum', [1, 2], [null, 4], 7],
    ['count', [1, null], [1], 2],
    ['avg', [1], [null, 5, 6], 4],
    ['min', [], [4, 2], 2],
    ['max', [9], [], 9],
    ['countDistinct', ['a', 'b'], ['b', 'c', null], 3],
    ['sum', [], [], null],
  ])('%s merges %j and %j into %s', (aggregation, left, right, expected) => {
    const a = new Accumulator(aggregation);
    const b = new Accumulator(aggregation);
    left.forEach((v) => a.add(v));
    right.forEach((v) => b.add(v));
    a.merge(b);
    expect(a.result()).toBe(expected);
  });

  // Plain float addition gives the right-hand noise; a database summing decimals gives the exact total.
  it.each<[Aggregation, MeasureInput[], number]>([
    ['sum', [0.1, 0.2], 0.3], // 0.30000000000000004
    ['sum', Array(10).fill(0.1), 1], // 0.9999999999999999
    ['sum', [1764.01, 0.25, 0.25], 1764.51], // 1764.5100000000002
    ['sum', [1e6, 0.1, -1e6], 0.1], // 0.10000000009313226
    ['sum', [0.1, 0.2, -0.3], 0], // 5.551115123125783e-17
    ['sum', [-0.1, -0.2], -0.3], // -0.30000000000000004
    ['sum', [1e-20, 2e-20], 3e-20], // 3.0000000000000004e-20
    ['sum', [1234.5678901234, 0.0000000001], 1234.56789012350], // 15 digits kept
    ['sum', [1.5, 1.5], 3],
    ['sum', [2 ** 53 - 1, 0], 2 ** 53 - 1], // whole totals stay exact past 15 digits
    ['avg', [0.1, 0.2, 0.3], 0.2], // 0.20000000000000004
  ])('%s of %j is exactly %s', (aggregation, inputs, expected) => {
    const acc = new Accumulator(aggregation);
    for (const value of inputs) acc.add(value);
    expect(acc.result()).toBe(expected);
  });

  it('a sum of 10,000 cents-valued amounts equals the decimal total, in any order and split by merges', () => {
    // Amounts 0.01..99.99 in cents: the exact total is an integer number of cents.
    const cents = Array.from({ length: 10_000 }, (_, i) => ((i * 7919) % 9999) + 1);
    const exact = cents.reduce((a, b) => a + b, 0) / 100;
    const naive = cents.reduce((a, c) => a + c / 100, 0);
    expect(naive).not.toBe(exact); // the noise this removes is there
    const whole = new Accumulator('sum');
    cents.forEach((c) => whole.add(c / 100));
    expect(whole.result()).toBe(exact);
    const [left, right] = [new Accumulator('sum'), new Accumulator('sum')];
    cents.forEach((c, i) => (i % 3 === 0 ? left : right).add(c / 100));
    left.merge(right);
    expect(left.result()).toBe(exact);
  });

  it.each<[Aggregation, unknown, boolean]>([
    ['sum', 1.5, true],
    ['sum', null, true],
    ['sum', NaN, false],
    ['max', Infinity, false],
    ['sum', '3', false],
    ['countDistinct', 'x', true],
    ['countDistinct', 7, true],
    ['countDistinct', true, false],
    ['count', undefined, false],
  ])('isValidInput(%s, %s) is %s', (aggregation, value, valid) => {
    expect(isValidInput(aggregation, value)).toBe(valid);
  });
});
