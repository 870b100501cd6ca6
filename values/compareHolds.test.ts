import { describe, expect, it } from 'vitest';
import { compareHolds, type CompareOp } from './compareHolds.ts';

describe('compareHolds (whether value op operand holds, from the sign of value - operand)', () => {
  it.each<[CompareOp, [boolean, boolean, boolean]]>([
    // for a sign below, at and above zero
    ['eq', [false, true, false]],
    ['ne', [true, false, true]],
    ['gt', [false, false, true]],
    ['gte', [false, true, true]],
    ['lt', [true, false, false]],
    ['lte', [true, true, false]],
  ])('%s', (op, expected) => {
    expect([-3, 0, 0.5].map((sign) => compareHolds(op, sign))).toEqual(expected);
  });

  it('takes -0 as equal', () => {
    expect(compareHolds('eq', -0)).toBe(true);
    expect(compareHolds('lt', -0)).toBe(false);
  });

  it('rejects an operator it does not know, naming it', () => {
    expect(() => compareHolds('like' as CompareOp, 0)).toThrow('compareHolds: expected one of eq, ne, gt, gte, lt, lte, got "like"');
  });
});
