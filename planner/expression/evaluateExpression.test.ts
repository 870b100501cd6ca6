import { describe, expect, it } from 'vitest';
import { compileEvaluator, parseExpression } from './index.ts';

type Bindings = Readonly<Record<string, number | null>>;

/** Expression, values of the names it uses, expected result. */
const CASES: readonly (readonly [string, Bindings, number | null])[] = [
  // precedence and associativity
  ['2 + 3 * 4', {}, 14],
  ['(2 + 3) * 4', {}, 20],
  ['10 - 4 - 3', {}, 3],
  ['100 / 10 / 5', {}, 2],
  ['-2 * 3', {}, -6],
  ['2 - -3', {}, 5],
  ['7 / 2', {}, 3.5],
  ['1e3 * .5 + 2.5E-2', {}, 500.025],
  ['unit_price * quantity', { unit_price: 2.5, quantity: 4 }, 10],
  // null propagation
  ['a + b', { a: 1, b: null }, null],
  ['a - b', { a: null, b: 1 }, null],
  ['a * b', { a: null, b: null }, null],
  ['a / b', { a: null, b: 0 }, null],
  ['-a', { a: null }, null],
  ['abs(a) + floor(a) + ceil(a)', { a: null }, null],
  // division by zero
  ['a / b', { a: 1, b: 0 }, null],
  ['a / b', { a: 0, b: 0 }, null],
  ['a / b', { a: -1, b: -0 }, null],
  ['a / 0 + 1', { a: 5 }, null],
  ['coalesce(a / b, 0)', { a: 1, b: 0 }, 0],
  // NaN and ±Infinity become null, from arithmetic or from the lookup
  ['1e308 * 10', {}, null],
  ['-1e308 * 10', {}, null],
  ['coalesce(1e308 + 1e308, -1)', {}, -1],
  ['a', { a: Number.NaN }, null],
  ['a + 1', { a: Number.POSITIVE_INFINITY }, null],
  ['coalesce(a, 2)', { a: Number.NEGATIVE_INFINITY }, 2],
  // coalesce and nullif
  ['coalesce(a, b, 3)', { a: null, b: null }, 3],
  ['coalesce(a, b, 3)', { a: null, b: 0 }, 0],
  ['coalesce(a, b)', { a: null, b: null }, null],
  ['nullif(a, 0)', { a: 0 }, null],
  ['nullif(a, 0)', { a: 5 }, 5],
  ['nullif(a, b)', { a: null, b: 1 }, null],
  ['nullif(a, b)', { a: 1, b: null }, 1],
  ['revenue / nullif(orders, 0)', { revenue: 10, orders: 0 }, null],
  // min and max ignore nulls, like least/greatest
  ['min(a, b)', { a: null, b: 3 }, 3],
  ['max(a, b)', { a: 3, b: null }, 3],
  ['min(a, b)', { a: null, b: null }, null],
  ['max(a, b, c)', { a: null, b: null, c: null }, null],
  ['min(a, b, c)', { a: 2, b: null, c: -1 }, -1],
  ['max(a, b, c)', { a: 2, b: null, c: -1 }, 2],
  ['min(a / 0, 4)', { a: 1 }, 4],
  // round: halves away from zero, via the 15-digit decimal PostgreSQL's numeric sees
  ['round(2.5)', {}, 3],
  ['round(-2.5)', {}, -3],
  ['round(0.5)', {}, 1],
  ['round(-0.5)', {}, -1],
  ['round(1.4999)', {}, 1],
  ['round(-1.5001)', {}, -2],
  ['round(999.5)', {}, 1000],
  ['round(a, 2)', { a: 1.005 }, 1.01],
  ['round(a, 2)', { a: -1.005 }, -1.01],
  ['round(0.125, 2)', {}, 0.13],
  ['round(-0.125, 2)', {}, -0.13],
  ['round(0.1 + 0.2, 15)', {}, 0.3],
  ['round(1234.5678, -2)', {}, 1200],
  ['round(1250, -2)', {}, 1300],
  ['round(-1250, -2)', {}, -1300],
  ['round(5, -1)', {}, 10],
  ['round(4, -1)', {}, 0],
  ['round(0.5, -1)', {}, 0],
  ['round(0.0004, 3)', {}, 0],
  ['round(a, 2.9)', { a: 1.2355 }, 1.24],
  ['round(a, -1.9)', { a: 15 }, 20],
  ['round(a, 400)', { a: 1.5 }, 1.5],
  ['round(a, -400)', { a: 1e300 }, 0],
  ['round(1e300, 2)', {}, 1e300],
  ['round(a, b)', { a: 1.5, b: null }, null],
  ['round(a)', { a: null }, null],
  // floor, ceil, abs
  ['floor(-1.5)', {}, -2],
  ['ceil(-1.5)', {}, -1],
  ['floor(a / 3)', { a: 7 }, 2],
  ['abs(a - b)', { a: 3, b: 10 }, 7],
];

describe('compileEvaluator', () => {
  it.each(CASES)('%s with %j is %s', (text, bindings, expected) => {
    const evaluate = compileEvaluator(parseExpression(text));
    const lookup = (name: string): number | null => {
      const value = bindings[name];
      if (value === undefined) throw new Error(`test binds no ${name}`);
      return value;
    };
    expect(evaluate(lookup)).toBe(expected);
  });

  it('never returns -0 from round', () => {
    expect(Object.is(compileEvaluator(parseExpression('round(-0.4)'))(() => null), 0)).toBe(true);
    expect(Object.is(compileEvaluator(parseExpression('round(-0.004, 2)'))(() => null), 0)).toBe(true);
  });

  it('compiles once and evaluates many rows', () => {
    const evaluate = compileEvaluator(parseExpression('revenue / nullif(orders, 0)'));
    const rows = [
      { revenue: 10, orders: 4 },
      { revenue: 10, orders: 0 },
      { revenue: null, orders: 2 },
    ];
    expect(rows.map((row) => evaluate((name) => row[name as keyof typeof row]))).toEqual([2.5, null, null]);
  });
});
