import { describe, expect, it } from 'vitest';
import { ErrorCode, TributaryError } from '../../errors/index.ts';
import { checkExpression, parseExpression } from './index.ts';

const KNOWN = ['revenue', 'cost', 'orders', 'a', 'b'] as const;

/** Expressions over KNOWN that check clean. */
const VALID: readonly string[] = [
  'revenue - cost',
  'revenue / orders',
  'a / (0 * b)',
  'a / nullif(0, 0)',
  'a / (1 - 0.5)',
  'round(revenue, 2 - 1)',
  'round(revenue)',
  'coalesce(a, b, 0) / max(orders, 1)',
  '42',
];

/** Expression → exact message and position, checked with label `calc` against KNOWN. */
const INVALID: readonly (readonly [string, string, number])[] = [
  [
    'revnue * 2',
    'calc: unknown name "revnue" at column 1 in "revnue * 2"; known: a, b, cost, orders, revenue; did you mean "revenue"?',
    0,
  ],
  [
    'Revenue - cost',
    'calc: unknown name "Revenue" at column 1 in "Revenue - cost"; known: a, b, cost, orders, revenue; did you mean "revenue"?',
    0,
  ],
  [
    'cst + 1',
    'calc: unknown name "cst" at column 1 in "cst + 1"; known: a, b, cost, orders, revenue; did you mean "cost"?',
    0,
  ],
  [
    'revenue - profit',
    'calc: unknown name "profit" at column 11 in "revenue - profit"; known: a, b, cost, orders, revenue',
    10,
  ],
  [
    'c + 1',
    'calc: unknown name "c" at column 1 in "c + 1"; known: a, b, cost, orders, revenue',
    0,
  ],
  ['revenue / 0', 'calc: division by the constant zero at column 9 in "revenue / 0"', 8],
  ['revenue / (1 - 1)', 'calc: division by the constant zero at column 9 in "revenue / (1 - 1)"', 8],
  ['revenue / -0', 'calc: division by the constant zero at column 9 in "revenue / -0"', 8],
  ['a / round(0.4)', 'calc: division by the constant zero at column 3 in "a / round(0.4)"', 2],
  ['a / (b / (2 * 0))', 'calc: division by the constant zero at column 8 in "a / (b / (2 * 0))"', 7],
  ['1 / 0', 'calc: division by the constant zero at column 3 in "1 / 0"', 2],
  [
    'round(a, b)',
    'calc: the digits argument of round must be a constant; got the name "b" at column 10 in "round(a, b)"',
    9,
  ],
  [
    'round(a, 1 + b)',
    'calc: the digits argument of round must be a constant; got the name "b" at column 14 in "round(a, 1 + b)"',
    13,
  ],
  // The first problem in source order wins.
  [
    'zz / 0',
    'calc: unknown name "zz" at column 1 in "zz / 0"; known: a, b, cost, orders, revenue',
    0,
  ],
  ['a / 0 + zz', 'calc: division by the constant zero at column 3 in "a / 0 + zz"', 2],
];

function checkError(source: string, options: { label?: string; known?: readonly string[] } = {}): TributaryError {
  try {
    checkExpression(parseExpression(source), { known: KNOWN, ...options, source });
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(source)} to fail the check`);
}

describe('checkExpression', () => {
  it.each(VALID)('accepts %s', (source) => {
    expect(() => checkExpression(parseExpression(source), { known: KNOWN, source })).not.toThrow();
  });

  it.each(INVALID)('rejects %s', (source, message, position) => {
    const error = checkError(source, { label: 'calc' });
    expect(error.message).toBe(message);
    expect(error.extensions).toEqual({ position, code: ErrorCode.BAD_USER_INPUT });
  });

  it('says (none) when no names are known, and defaults the label', () => {
    expect(checkError('x', { known: [] }).message).toBe('expression: unknown name "x" at column 1 in "x"; known: (none)');
  });
});
