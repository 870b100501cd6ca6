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
