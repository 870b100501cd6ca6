import { describe, expect, it } from 'vitest';
import { roundSum } from './roundSum.ts';

describe('roundSum', () => {
  it.each<[number, number, number]>([
    [0.30000000000000004, 0.2, 0.3],
    [1764.5100000000002, 1000, 1764.51],
    [2.7755575615628914e-17, 0.3, 0], // 0.1 + 0.2 - 0.3: noise below the inputs' 15th digit
    [-0.30000000000000004, 0.2, -0.3],
    [2 ** 53 - 1, 2 ** 52, 2 ** 53 - 1], // whole numbers stay exact
    [123456789012345680000, 1e20, 123456789012345680000],
    [1.0000000000000002e-300, 1e-300, 1e-300], // past toFixed's 100 digits: 15 significant digits
    [Infinity, 1e308, Infinity],
  ])('roundSum(%s, max |input| %s) is %s', (value, maxAbs, expected) => {
    expect(roundSum(value, maxAbs)).toBe(expected);
  });
});
