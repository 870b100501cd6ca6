import { describe, expect, it } from 'vitest';
import { ErrorCode, TributaryError } from '../../errors/index.ts';
import { parseExpression, printExpression } from './index.ts';
import type { Expression } from './index.ts';

/** Source → canonical printed form. */
const VALID: readonly (readonly [string, string])[] = [
  ['a+b', '(a + b)'],
  ['  a   +\tb\n', '(a + b)'],
  ['unit_price * quantity', '(unit_price * quantity)'],
  ['_x1 + X_2', '(_x1 + X_2)'],
  ['a + b * c', '(a + (b * c))'],
  ['a * b + c', '((a * b) + c)'],
  ['a - b - c', '((a - b) - c)'],
  ['a / b / c', '((a / b) / c)'],
  ['a * b / c * d', '(((a * b) / c) * d)'],
  ['(a + b) * c', '((a + b) * c)'],
  ['a * (b + c) / d', '((a * (b + c)) / d)'],
  ['((((a))))', 'a'],
  ['-a * b', '((-a) * b)'],
  ['-a + b', '((-a) + b)'],
  ['- - a', '(-(-a))'],
  ['a - -b', '(a - (-b))'],
  ['a--b', '(a - (-b))'],
  ['2 * -3', '(2 * (-3))'],
  ['-(a + b)', '(-(a + b))'],
  ['123', '123'],
  ['1.5', '1.5'],
  ['.5', '0.5'],
  ['1.', '1'],
  ['1e3', '1000'],
  ['2.5E-2', '0.025'],
  ['1E+2', '100'],
  ['007', '7'],
  ['abs(a)', 'abs(a)'],
  ['ABS(a)', 'abs(a)'],
  ['Round(a, 2)', 'round(a, 2)'],
  ['round ( a )', 'round(a)'],
  ['floor(a / 2) + ceil(-a)', '(floor((a / 2)) + ceil((-a)))'],
  ['coalesce(a)', 'coalesce(a)'],
  ['coalesce(a, b, 0)', 'coalesce(a, b, 0)'],
  ['nullif(a, 0)', 'nullif(a, 0)'],
  ['min(a, b, c)', 'min(a, b, c)'],
  ['MAX(a,b)', 'max(a, b)'],
  ['max(min(a, b), -c)', 'max(min(a, b), (-c))'],
  ['abs', 'abs'],
  ['abs + Round', '(abs + Round)'],
  ['revenue / nullif(orders, 0)', '(revenue / nullif(orders, 0))'],
];

/** At the length and depth limits; their printed forms are over them, so no round trip. */
const VALID_AT_LIMITS: readonly (readonly [string, string, string])[] = [
  ['64 parentheses', `${'('.repeat(64)}a${')'.repeat(64)}`, 'a'],
  ['64 minus signs', `${'-'.repeat(64)}a`, `${'(-'.repeat(64)}a${')'.repeat(64)}`],
  ['2000 characters', `${'a+'.repeat(999)}a `, `${'('.repeat(999)}a${' + a)'.repeat(999)}`],
];

/** Source → exact message and 0-based position, parsed with label `calc`. */
const INVALID: readonly (readonly [string, string, number])[] = [
  ['', 'calc: expected an operand at column 1 but the expression ended', 0],
  ['   ', 'calc: expected an operand at column 4 but the expression ended', 3],
  ['revenue +)', 'calc: unexpected ")" at column 10 in "revenue +)"', 9],
  ['a *', 'calc: expected an operand at column 4 but the expression ended', 3],
  ['-', 'calc: expected an operand at column 2 but the expression ended', 1],
  ['(revenue +1', 'calc: expected ")" at column 12 but the expression ended', 11],
  ['(a b)', 'calc: unexpected "b" at column 4 in "(a b)"', 3],
  ['a b', 'calc: unexpected "b" at column 3 in "a b"', 2],
  ['a)', 'calc: unexpected ")" at column 2 in "a)"', 1],
  ['()', 'calc: unexpected ")" at column 2 in "()"', 1],
  ['a,b', 'calc: unexpected "," at column 2 in "a,b"', 1],
  ['+a', 'calc: unexpected "+" at column 1 in "+a"', 0],
  ['a $ b', 'calc: unexpected character "$" at column 3 in "a $ b"', 2],
  ['prix_é', 'calc: unexpected character "é" at column 6 in "prix_é"', 5],
  ['a . b', 'calc: unexpected "." at column 3 in "a . b"', 2],
  ['1e', 'calc: malformed number "1e" at column 1', 0],
  ['a + 1.2.3', 'calc: malformed number "1.2.3" at column 5', 4],
  ['2x', 'calc: malformed number "2x" at column 1', 0],
  ['1e400', 'calc: number 1e400 at column 1 is too large', 0],
  [
    'sqrt(a)',
    'calc: unknown function "sqrt" at column 1; known: abs, round, floor, ceil, coalesce, nullif, min, max',
    0,
  ],
  [
    'a + SQRT(b)',
    'calc: unknown function "SQRT" at column 5; known: abs, round, floor, ceil, coalesce, nullif, min, max',
    4,
  ],
  ['abs(a, b)', 'calc: abs expects 1 argument but got 2 at column 1', 0],
  ['floor()', 'calc: floor expects 1 argument but got 0 at column 1', 0],
  ['round()', 'calc: round expects 1 or 2 arguments but got 0 at column 1', 0],
  ['1 + round(a, 1, 2)', 'calc: round expects 1 or 2 arguments but got 3 at column 5', 4],
  ['nullif(a)', 'calc: nullif expects 2 arguments but got 1 at column 1', 0],
  ['coalesce()', 'calc: coalesce expects at least 1 argument but got 0 at column 1', 0],
  ['min(a)', 'calc: min expects at least 2 arguments but got 1 at column 1', 0],
  ['max(a,)', 'calc: unexpected ")" at column 7 in "max(a,)"', 6],
  ['max(a b)', 'calc: unexpected "b" at column 7 in "max(a b)"', 6],
  ['abs(revenue', 'calc: expected "," or ")" at column 12 but the expression ended', 11],
  [
    `${'a + '.repeat(30)})`,
    `calc: unexpected ")" at column 121 in "…${`${'a + '.repeat(30)})`.slice(61)}"`,
    120,
  ],
];

/** Over a bound: LIMIT_EXCEEDED rather than BAD_USER_INPUT. */
const TOO_BIG: readonly (readonly [string, string, string, number])[] = [
  ['2001 characters', `${'a+'.repeat(1000)}a`, 'calc: the expression is 2001 characters long; the maximum is 2000', 2000],
  ['65 parentheses', `${'('.repeat(65)}a${')'.repeat(65)}`, 'calc: the expression nests deeper than 64 levels at column 65', 64],
  ['65 minus signs', `${'-'.repeat(65)}a`, 'calc: the expression nests deeper than 64 levels at column 65', 64],
  ['65 calls', `${'abs('.repeat(65)}a${')'.repeat(65)}`, 'calc: the expression nests deeper than 64 levels at column 257', 256],
  ['1000 unclosed parentheses', `${'('.repeat(1000)}`, 'calc: the expression nests deeper than 64 levels at column 65', 64],
];

function parseError(text: string, label?: string): TributaryError {
  try {
    parseExpression(text, label === undefined ? {} : { label });
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe('parseExpression', () => {
  it.each(VALID)('parses %j as %s and the printed form back', (text, printed) => {
    const expr = parseExpression(text);
    expect(printExpression(expr)).toBe(printed);
    expect(printExpression(parseExpression(printed))).toBe(printed);
  });

  it.each(VALID_AT_LIMITS)('parses %s', (_, text, printed) => {
    expect(printExpression(parseExpression(text))).toBe(printed);
  });

  it.each(INVALID)('rejects %j', (text, message, position) => {
    const error = parseError(text, 'calc');
    expect(error.message).toBe(message);
    expect(error.extensions).toEqual({ position, code: ErrorCode.BAD_USER_INPUT });
  });

  it.each(TOO_BIG)('rejects %s with LIMIT_EXCEEDED', (_, text, message, position) => {
    const error = parseError(text, 'calc');
    expect(error.message).toBe(message);
    expect(error.extensions).toEqual({ position, code: ErrorCode.LIMIT_EXCEEDED });
  });

  it('prefixes errors with "expression" when no label is given', () => {
    expect(parseError('a +').message).toBe('expression: expected an operand at column 4 but the expression ended');
  });

  it('builds frozen nodes whose pos points at the token naming them', () => {
    const expr = parseExpression('-a + ROUND(b * 2, 1)');
    const expected: Expression = {
      kind: 'binary',
      op: '+',
      pos: 3,
      left: { kind: 'negate', pos: 0, operand: { kind: 'ref', name: 'a', pos: 1 } },
      right: {
        kind: 'call',
        fn: 'round',
        pos: 5,
        args: [
          {
            kind: 'binary',
            op: '*',
            pos: 13,
            left: { kind: 'ref', name: 'b', pos: 11 },
            right: { kind: 'number', value: 2, pos: 15 },
          },
          { kind: 'number', value: 1, pos: 18 },
        ],
      },
    };
    expect(expr).toEqual(expected);
    expect(Object.isFrozen(expr)).toBe(true);
    if (expr.kind !== 'binary' || expr.right.kind !== 'call') throw new Error('unexpected shape');
    expect(Object.isFrozen(expr.right)).toBe(true);
    expect(Object.isFrozen(expr.right.args)).toBe(true);
  });
});
