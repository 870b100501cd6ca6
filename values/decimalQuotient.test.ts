import { describe, expect, it } from 'vitest';
import { decimalQuotient } from './decimalQuotient.ts';

describe('decimalQuotient', () => {
  it.each<[number, number, number]>([
    [0.6, 3, 0.2], // 0.6 / 3 is 0.19999999999999998
    [10, 3, 10 / 3],
    [-10, 3, -10 / 3],
    [1764.51, 2, 882.255],
    [0.3, 1, 0.3],
    [0, 5, 0],
    [1e-7, 3, 1e-7 / 3],
  ])('%s / %s is %s', (sum, count, expected) => {
    expect(decimalQuotient(sum, count)).toBe(expected);
  });

  it('agrees with plain division on whole sums (both are the double nearest the exact quotient)', () => {
    for (let sum = -200; sum <= 200; sum += 7) for (let n = 1; n <= 40; n++) expect(decimalQuotient(sum, n)).toBe(sum / n);
  });
});
