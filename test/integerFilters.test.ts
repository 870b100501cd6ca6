/**
 * Parameters typed as their columns keep the meaning of every comparison: a non-integer or
 * out-of-range number against smallint, integer and bigint columns, and instants against a
 * naive timestamp column, give the rows Postgres itself gives for the exact comparison
 * (`column::numeric op value`), through the source (BYPASS) and through the cache's own
 * evaluation of the filter (DERIVED from an unfiltered core).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'i10sql_ints';

const CONFIG = (url: string) => `
cache: { enabled: true }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  nums:
    source: warehouse
    table: ${SCHEMA}.nums
    timezone: UTC
    dimensions:
      small: { type: number }
      mid: { type: number }
      big: { type: number }
      at: { type: time }
    measures:
      n: { count: "*" }
`;

const OPS = { lt: '<', lte: '<=', gt: '>', gte: '>=', eq: '=', ne: '<>' } as const;
const VALUES = [2.5, -2.5, 2, 0, 40000.5, -40000, 3e9, -3e9, 1e20, -1e20, 9.3e18, -9.3e18, 0.000001];

const admin = await connectTestPostgres();

describe.skipIf(!admin)('integer and naive timestamp columns: typed parameters keep exact semantics', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.nums (small int2, mid int4, big int8, at timestamp);
      insert into ${SCHEMA}.nums
      select s, s * 100000, s::int8 * 1000000000000, timestamp '2024-03-01' + s * interval '7 hours 30 minutes'
      from generate_series(-32, 32) s;
      insert into ${SCHEMA}.nums values (null, null, null, null), (32767, 2147483647, 9223372036854775807, null), (-32768, -2147483648, -9223372036854775808, null);
      analyze ${SCHEMA}.nums`);
    gw = await startTestGateway(CONFIG(TEST_PG_URL));
  });

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  const reference = async (column: string, where: string, values: unknown[]) =>
    (await admin!.query({ text: `select count(*)::int as n from ${SCHEMA}.nums where ${where}`, values })).rows[0].n as number;

  /** The count through the gateway; `derived`: the answer must come from the cache's own evaluation of the filter. */
  const count = async (where: string, mode: 'BYPASS' | 'DEFAULT', derived = false) => {
    const { data, errors } = await gw.query(`query($w: NumsWhere) { nums(where: $w, cache: ${mode}) { totals { n } meta { cache } } }`, { w: JSON.parse(where) });
    expect(errors).toBeUndefined();
    if (derived) expect(data.nums.meta.cache, where).toBe('DERIVED');
    return data.nums.totals.n as number;
  };

  it('comparisons with non-integer and out-of-range numbers', async () => {
    // An unfiltered core of every group, so DEFAULT answers are derived by the cache's own filter evaluation.
    await gw.query('{ nums(limit: 1000) { rows { small mid big n } } }');
    for (const column of ['small', 'mid', 'big']) {
      for (const [op, sql] of Object.entries(OPS)) {
        for (const value of VALUES) {
          const expected = await reference(column, `${column}::numeric ${sql} $1::numeric`, [value.toFixed(6)]);
          const where = JSON.stringify({ [column]: { [op]: value } });
          expect(await count(where, 'BYPASS'), `${where} at the source`).toBe(expected);
          expect(await count(where, 'DEFAULT', true), `${where} from the cache`).toBe(expected);
          const negated = JSON.stringify({ NOT: { [column]: { [op]: value } } });
          const expectedNot = await reference(column, `not (${column}::numeric ${sql} $1::numeric)`, [value.toFixed(6)]);
          expect(await count(negated, 'BYPASS'), `${negated} at the source`).toBe(expectedNot);
        }
      }
      const inList = JSON.stringify({ [column]: { in: [2.5, 1e20, 0] } });
      expect(await count(inList, 'BYPASS')).toBe(await reference(column, `${column}::numeric in (2.5, 1e20, 0)`, []));
      const onlyImpossible = JSON.stringify({ NOT: { [column]: { in: [2.5, 1e20] } } });
      expect(await count(onlyImpossible, 'BYPASS')).toBe(await reference(column, `not (${column}::numeric in (2.5, 1e20))`, []));
    }
  });

  it('instants against a naive timestamp column, and the SQL binds them as timestamp', async () => {
    await gw.query('{ nums(limit: 1000) { rows { at(granularity: HOUR) n } } }');
    for (const [op, sql] of Object.entries(OPS).filter(([o]) => o !== 'ne')) {
      for (const value of ['2024-03-02T07:30:00Z', '2024-03-02T07:30:00.001Z', '2024-03-01T00:00:00+02:00']) {
        const expected = await reference('at', `at ${sql} $1::timestamptz`, [value]);
        const where = JSON.stringify({ at: { [op]: value } });
        expect(await count(where, 'BYPASS'), `${where} at the source`).toBe(expected);
        expect(await count(where, 'DEFAULT'), `${where} from the cache`).toBe(expected);
      }
    }
    const { data } = await gw.query('{ nums(where: { at: { lt: "2024-03-02T00:00:00Z" }, mid: { lt: 2.5 } }, cache: BYPASS) { totals { n } meta { sources { sql } } } }');
    const sql = data.nums.meta.sources.map((s: { sql: string }) => s.sql).join('\n');
    expect(sql).toMatch(/t\."at" < \$\d+::timestamp\b/);
    expect(sql).toMatch(/t\."mid" < \$\d+::int4\b/);
  });
});
