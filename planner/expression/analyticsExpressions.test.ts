import { describe, expect, it } from 'vitest';
import { ErrorCode, TributaryError } from '../../errors/index.ts';
import { parentKey, previousRefKey, totalKey } from '../analyticsKeys.ts';
import { analyticsReferences, checkExpression, compileEvaluator, compileExpressionSql, parseExpression, printExpression, referencedNames } from './index.ts';

/** calc's analytics (docs/DESIGN.md "Analytics"): total(m), parent(m, d...), previous.m. */
const calc = (text: string) => parseExpression(text, { label: 'calc', analytics: true });
const SCOPE = { measures: ['revenue', 'cost', 'orders'], dimensions: ['region', 'channel', 'orderDate'] };
const check = (text: string) => checkExpression(calc(text), { label: 'calc', known: SCOPE.measures, source: text, analytics: SCOPE });

function errorOf(run: () => unknown): TributaryError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TributaryError);
    return error as TributaryError;
  }
  throw new Error('expected an error');
}

describe('parsing calc analytics', () => {
  it.each<[string, string]>([
    ['revenue / total(revenue)', '(revenue / total(revenue))'],
    ['TOTAL( revenue )', 'total(revenue)'],
    ['parent(revenue, region, channel)', 'parent(revenue, region, channel)'],
    ['revenue / previous.revenue - 1', '((revenue / previous.revenue) - 1)'],
    ['coalesce(previous.cost, 0) + total(orders)', '(coalesce(previous.cost, 0) + total(orders))'],
  ])('%s', (text, printed) => {
    const expr = calc(text);
    expect(printExpression(expr)).toBe(printed);
    expect(Object.isFrozen(expr)).toBe(true);
  });

  it('reads a dotted name as one reference', () => {
    expect(calc('previous.revenue')).toEqual({ kind: 'ref', name: 'previous.revenue', pos: 0 });
  });

  it.each<[string, string, number]>([
    ['total(revenue * 2)', 'calc: total expects a measure name, such as total(revenue); got an expression at column 15 in "total(revenue * 2)"', 14],
    ['total(previous.revenue)', 'calc: total expects a measure name, such as total(revenue); got an expression at column 7 in "total(previous.revenue)"', 6],
    ['parent(revenue, 1)', 'calc: parent expects a measure name and dimension names, such as parent(revenue, region); got an expression at column 17 in "parent(revenue, 1)"', 16],
    ['parent(revenue)', 'calc: parent expects at least 2 arguments but got 1 at column 1', 0],
    ['total(revenue, cost)', 'calc: total expects 1 argument but got 2 at column 1', 0],
    ['totl(revenue)', 'calc: unknown function "totl" at column 1; known: abs, round, floor, ceil, coalesce, nullif, min, max, total, parent', 0],
    ['previous.', 'calc: unexpected "." at column 9 in "previous."', 8],
  ])('refuses %s', (text, message, position) => {
    const error = errorOf(() => calc(text));
    expect(error.code).toBe(ErrorCode.BAD_USER_INPUT);
    expect(error.message).toBe(message);
    expect(error.extensions.position).toBe(position);
  });

  it('refuses them without analytics (config measures, streams, related rows), saying where they belong', () => {
    expect(errorOf(() => parseExpression('a / total(a)', { label: 'measure' })).message).toBe('measure: total() at column 5 is available only in calc(expr:) on dataset rows');
    expect(errorOf(() => parseExpression('Parent(a, b)')).message).toBe('expression: parent() at column 1 is available only in calc(expr:) on dataset rows');
    expect(errorOf(() => parseExpression('previous.a + 1')).message).toBe(
      'expression: unexpected dotted name "previous.a" at column 1; previous.<measure> is available only in calc(expr:) on dataset rows',
    );
    expect(errorOf(() => parseExpression('totl(a)')).message).toBe('expression: unknown function "totl" at column 1; known: abs, round, floor, ceil, coalesce, nullif, min, max');
  });
});

describe('checking calc analytics', () => {
  it.each(['revenue / total(revenue)', 'parent(revenue, region, orderDate)', 'revenue / previous.revenue - 1', 'round(total(cost), 2)'])('accepts %s', (text) => {
    expect(() => check(text)).not.toThrow();
  });

  it.each<[string, string]>([
    ['total(revenu)', 'calc: unknown measure "revenu" at column 7 in "total(revenu)"; measures: cost, orders, revenue; did you mean "revenue"?'],
    ['total(region)', 'calc: unknown measure "region" at column 7 in "total(region)"; measures: cost, orders, revenue'],
    ['parent(revenue, regon)', 'calc: unknown dimension "regon" at column 17 in "parent(revenue, regon)"; dimensions: channel, orderDate, region; did you mean "region"?'],
    ['parent(revenue, cost)', 'calc: unknown dimension "cost" at column 17 in "parent(revenue, cost)"; dimensions: channel, orderDate, region'],
    ['previous.costs', 'calc: unknown measure "costs" at column 10 in "previous.costs"; measures: cost, orders, revenue; did you mean "cost"?'],
    ['revenue / nxt.revenue', 'calc: unknown name "nxt.revenue" at column 11 in "revenue / nxt.revenue"; known: cost, orders, revenue'],
    ['round(revenue, total(orders))', 'calc: the digits argument of round must be a constant; got the name "orders" at column 22 in "round(revenue, total(orders))"'],
  ])('refuses %s', (text, message) => {
    expect(errorOf(() => check(text)).message).toBe(message);
  });

  it('refuses them without the analytics scope (totals of a stream, a related row)', () => {
    const text = 'revenue / total(revenue)';
    expect(errorOf(() => checkExpression(calc(text), { label: 'calc', known: SCOPE.measures, source: text })).message).toBe(
      'calc: total() is available only in calc(expr:) on dataset rows at column 11 in "revenue / total(revenue)"',
    );
    expect(errorOf(() => checkExpression(calc('previous.revenue'), { label: 'calc', known: SCOPE.measures, source: 'previous.revenue' })).message).toBe(
      'calc: unknown name "previous.revenue" at column 1 in "previous.revenue"; known: cost, orders, revenue',
    );
  });
});

describe('evaluating calc analytics', () => {
  const row: Record<string, number | null> = {
    revenue: 30,
    [totalKey('revenue')]: 120,
    [parentKey('revenue', ['region', 'channel'])]: 60,
    [previousRefKey('revenue')]: 20,
    [previousRefKey('cost')]: null,
  };
  const evaluate = (text: string) => compileEvaluator(calc(text))((name) => row[name] ?? null);

  it('reads the row keys of analyticsKeys', () => {
    expect(evaluate('revenue / total(revenue)')).toBe(0.25);
    // parent's dimensions in any order name one key.
    expect(evaluate('revenue / parent(revenue, channel, region)')).toBe(0.5);
    expect(evaluate('revenue / parent(revenue, region, channel)')).toBe(0.5);
    expect(evaluate('revenue / previous.revenue - 1')).toBe(0.5);
  });

  it('is null where the value is missing or null, as any reference', () => {
    expect(evaluate('revenue - previous.cost')).toBeNull();
    expect(evaluate('total(cost)')).toBeNull();
    expect(evaluate('coalesce(previous.cost, 0)')).toBe(0);
  });
});

describe('names and references of calc analytics', () => {
  it('referencedNames gives the measures they need', () => {
    expect(referencedNames(calc('revenue / total(cost) + parent(orders, region) - previous.revenue'))).toEqual(['cost', 'orders', 'revenue']);
  });

  it('analyticsReferences lists totals, parents (deduplicated by dimension set) and previous', () => {
    expect(analyticsReferences(calc('total(revenue) + total(cost) + total(revenue) + parent(revenue, region, channel) + parent(revenue, channel, region) + parent(cost, region) + previous.orders'))).toEqual({
      totals: ['cost', 'revenue'],
      parents: [
        { measure: 'cost', dimensions: ['region'] },
        { measure: 'revenue', dimensions: ['channel', 'region'] },
      ],
      previous: ['orders'],
    });
    expect(analyticsReferences(calc('max(revenue, cost) / 2'))).toEqual({ totals: [], parents: [], previous: [] });
  });

  it('compileExpressionSql refuses them: the gateway computes them over result rows', () => {
    const options = { ref: (n: string) => `"${n}"`, param: () => '$1' };
    expect(errorOf(() => compileExpressionSql(calc('a / total(a)'), options)).message).toBe(
      'total() cannot be compiled to SQL: it is available only in calc(expr:) on dataset rows, which the gateway computes',
    );
    expect(errorOf(() => compileExpressionSql(calc('abs(previous.a)'), options)).message).toBe(
      'previous.a cannot be compiled to SQL: it is available only in calc(expr:) on dataset rows, which the gateway computes',
    );
  });
});
