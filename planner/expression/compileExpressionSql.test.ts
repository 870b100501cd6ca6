import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileEvaluator, compileExpressionSql, parseExpression } from './index.ts';

const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Compiles with refs `t."name"` and params numbered from `firstParam`. */
function compile(text: string, firstParam = 1): { sql: string; params: number[] } {
  const params: number[] = [];
  const sql = compileExpressionSql(parseExpression(text), {
    ref: (name) => `t."${name}"`,
    param: (value) => `$${firstParam + params.push(value) - 1}`,
  });
  return { sql, params };
}

/** Expression → exact SQL and bound parameters. */
const SQL: readonly (readonly [string, string, readonly number[]])[] = [
  ['a + 2', '((t."a")::float8 + ($1)::float8)', [2]],
  ['a / b', '((t."a")::float8 / nullif((t."b")::float8, 0))', []],
  ['-a', '(-((t."a")::float8))', []],
  ['a - -1', '((t."a")::float8 - (-(($1)::float8)))', [1]],
  ['a * b + c', '(((t."a")::float8 * (t."b")::float8) + (t."c")::float8)', []],
  ['min(a, 1.5)', 'least((t."a")::float8, ($1)::float8)', [1.5]],
  ['max(a, b, c)', 'greatest((t."a")::float8, (t."b")::float8, (t."c")::float8)', []],
  ['coalesce(a, 0)', 'coalesce((t."a")::float8, ($1)::float8)', [0]],
  ['nullif(a, 0)', 'nullif((t."a")::float8, ($1)::float8)', [0]],
  ['ABS(a)', 'abs((t."a")::float8)', []],
  ['floor(a) + ceil(b)', '(floor((t."a")::float8) + ceil((t."b")::float8))', []],
  ['round(a)', '(round(((t."a")::float8)::numeric))::float8', []],
  ['round(a, 2)', '(round(((t."a")::float8)::numeric, (trunc(($1)::float8))::int))::float8', [2]],
  ['round(1 + a * 2, 3)', '(round(((($1)::float8 + ((t."a")::float8 * ($2)::float8)))::numeric, (trunc(($3)::float8))::int))::float8', [1, 2, 3]],
];

describe('compileExpressionSql', () => {
  it.each(SQL)('compiles %s', (text, sql, params) => {
    expect(compile(text)).toEqual({ sql, params });
  });

  it('never writes "--", which would start a SQL comment', () => {
    expect(compile('a - - - 1 - -b').sql).not.toContain('--');
  });
});

/** Rows of (a, b, c) every differential expression is evaluated over. */
const ROWS: readonly (readonly [number | null, number | null, number | null])[] = [
  [3, 4, null],
  [-2.5, 0, 1],
  [null, null, null],
  [0.1, 0.2, -7],
  [1.005, 2, 0],
  [1e10, -3.75, 2.5],
  [7, 2, 0.125],
  [-0.5, 0.5, -1250],
];

/** Expressions over a, b, c that must give the same values in PostgreSQL and the evaluator. */
const DIFFERENTIAL: readonly string[] = [
  'a + b * c',
  '(a + b) * (a - b)',
  '-a - -b',
  'a--b',
  '7 / 2',
  'a / b',
  'a / 0',
  '0 / 0',
  'b / a / c',
  'coalesce(a / b, -1)',
  'coalesce(c, a, 0)',
  'coalesce(c, b)',
  'nullif(a, b)',
  'nullif(a * 0, 0)',
  'nullif(c, 0)',
  'min(a, b, c)',
  'max(a, c)',
  'max(c, c)',
  'min(a / 0, b)',
  'abs(a - b)',
  'floor(a / 3)',
  'ceil(-a)',
  'round(a)',
  'round(c)',
  'round(a * b)',
  'round(a, 2)',
  'round(c, 2)',
  'round(a * b, -1)',
  'round(c, -2)',
  'round(a, 2.9)',
  'round(a, -1.9)',
  'round(a, nullif(1, 1))',
  'round(2.5) + round(-2.5) + round(0.5) + round(-0.5)',
  'round(0.125, 2) - round(-0.125, 2)',
  'round(1234.5678, -2)',
  'round(a + b, 15)',
  'round(a / 3, 400)',
  '1e3 * .5 + 2.5E-2 * a',
  'a * b + 1',
];

function close(x: number | null, y: number | null): boolean {
  if (x === null || y === null) return x === y;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

// Reachability is decided before the suites are declared, so an unreachable server can
// skip them visibly; with CI=true it fails them instead.
const probe = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
const unreachable: Error | undefined = await probe.connect().then(
  () => probe.end().then(() => undefined),
  (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
);
const skip = unreachable !== undefined && process.env.CI !== 'true';
if (skip) {
  console.warn(`SKIPPED compileExpressionSql differential tests: PostgreSQL at ${POSTGRES_URL} is unreachable (${unreachable.message}); set CI=true to make this a failure`);
}

describe.skipIf(skip)('compileExpressionSql on PostgreSQL agrees with compileEvaluator', () => {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });

  beforeAll(async () => {
    if (unreachable !== undefined) throw new Error(`PostgreSQL at ${POSTGRES_URL} is unreachable: ${unreachable.message}`);
    await client.connect();
  });
  afterAll(async () => {
    if (unreachable === undefined) await client.end();
  });

  async function runSql(text: string, row: readonly (number | null)[]): Promise<number | null> {
    const { sql, params } = compile(text, row.length + 1);
    const query = `select ${sql} as v from (values ($1::float8, $2::float8, $3::float8)) as t(a, b, c)`;
    const result = await client.query<{ v: number | null }>(query, [...row, ...params]);
    return result.rows[0]?.v ?? null;
  }

  it.each(DIFFERENTIAL)('%s', async (text) => {
    const evaluate = compileEvaluator(parseExpression(text));
    const mismatches: string[] = [];
    for (const row of ROWS) {
      const [a, b, c] = row;
      const bound: Record<string, number | null> = { a, b, c };
      const expected = evaluate((name) => bound[name] ?? null);
      const actual = await runSql(text, row);
      if (!close(actual, expected)) mismatches.push(`(a, b, c) = (${row.join(', ')}): SQL ${actual}, evaluator ${expected}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('differs on float8 overflow: PostgreSQL raises where the evaluator gives null (documented)', async () => {
    expect(compileEvaluator(parseExpression('a * a'))(() => 1e200)).toBeNull();
    await expect(runSql('a * a', [1e200, null, null])).rejects.toThrow(/out of range/);
  });
});
