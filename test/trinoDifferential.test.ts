/**
 * Trino differential suite: random aggregates over `tpch.tiny.lineitem` (dimensions, time
 * buckets in America/New_York, filters, having, top-N, totals, countDistinct, an
 * expression measure) go through the gateway's HTTP endpoint, and the same question is
 * asked of the same Trino directly, in SQL written in test/trinoDifferential.fixture.ts
 * and sent through trino-client (not the source's own protocol code). Then a fusion of a
 * Trino dataset with a Postgres dataset, against one Trino query that reads the Postgres
 * table through Trino's postgresql catalog. Seeds are printed with each failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasicAuth, Trino } from 'trino-client';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { seededRandom, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { connectTestTrino } from './support/trino.ts';
import { FUSION_SCHEMA, LINEITEM_SQL, randomTrinoQuery, TRINO_DIFF_CONFIG } from './trinoDifferential.fixture.ts';

const QUERIES = 40;
const trino = await connectTestTrino();
const admin = trino ? await connectTestPostgres() : null;

describe.skipIf(!trino || !admin)('Trino differential: gateway vs hand-written SQL on the same Trino', () => {
  let gw: TestGateway;
  let direct: Trino;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${FUSION_SCHEMA} cascade; create schema ${FUSION_SCHEMA}`);
    // Targets per flag and month: R and A share months with lineitem; N has gaps; X exists only here; one null target.
    await admin!.query(`create table ${FUSION_SCHEMA}.targets as
      select flag as returnflag, (date '1994-01-01' + m * interval '1 month')::date as month,
        (case when flag = 'A' and m = 3 then null else 100000 + m * 1000 + ascii(flag) end)::numeric(12,2) as target
      from unnest(array['A', 'R', 'N', 'X']) flag, generate_series(0, 23) m
      where not (flag = 'N' and m % 4 = 0)`);
    gw = await startTestGateway(TRINO_DIFF_CONFIG(trino!.url, TEST_PG_URL));
    direct = Trino.create({ server: trino!.url, catalog: 'tpch', schema: 'tiny', auth: new BasicAuth('tributary-reference'), extraHeaders: { 'X-Trino-Time-Zone': 'UTC' } });
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${FUSION_SCHEMA} cascade`);
    await admin?.end();
  });

  it(`agrees on ${QUERIES} random queries over tpch.tiny.lineitem`, async () => {
    let rowsCompared = 0;
    let totalsCompared = 0;
    for (let seed = 1; seed <= QUERIES; seed++) {
      const spec = randomTrinoQuery(seededRandom(seed));
      const label = `seed ${seed}\n${spec.graphql}\n${JSON.stringify(spec.variables)}`;
      const actual = await gw.query(spec.graphql, spec.variables);
      expect(actual.errors, label).toBeUndefined();
      const got = (actual.data.lineitem.rows as Record<string, unknown>[]).map((row) => wallClock(row, spec.timeAliases));
      expectSameRows(got, await queryTrino(direct, spec.rowsSql), `${label}\nrows differ; reference SQL:\n${spec.rowsSql}`);
      rowsCompared += got.length;
      if (spec.totalsSql) {
        expectSameRows([actual.data.lineitem.totals], await queryTrino(direct, spec.totalsSql), `${label}\ntotals differ; reference SQL:\n${spec.totalsSql}`);
        totalsCompared++;
      }
    }
    console.log(`Trino differential: ${QUERIES} queries, ${rowsCompared} rows and ${totalsCompared} totals compared, 0 mismatches`);
    expect(rowsCompared).toBeGreaterThan(QUERIES);
  }, 600_000);

  it.each([
    ['every flag and month', null, 'MONTH'],
    ['flags A and X by quarter', { returnflag: { in: ['A', 'X'] } }, 'QUARTER'],
    ['flag N from 1995 by year', { returnflag: { eq: 'N' }, month: { gte: '1995-01-01' } }, 'YEAR'],
  ] as const)('a fusion of Trino and Postgres equals one Trino query: %s', async (_, where, grain) => {
    const response = await gw.query(
      `query F($where: FlagsVsTargetsWhere) { flagsVsTargets(where: $where, orderBy: [{ returnflag: ASC }, { month: ASC }], limit: 5000) {
        rows { returnflag month(granularity: ${grain}) revenue lines target } totals { revenue target } } }`,
      { where },
    );
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const flagFilter: { in?: readonly string[]; eq?: string } | undefined = where?.returnflag;
    const flags = flagFilter?.in ?? (flagFilter?.eq ? [flagFilter.eq] : null);
    const from = where && 'month' in where ? `timestamp '1995-01-01 00:00:00'` : null;
    const filter = (flagCol: string, timeCol: string) =>
      [flags ? `${flagCol} in (${flags.map((f) => `'${f}'`).join(', ')})` : 'true', from ? `${timeCol} >= ${from}` : 'true'].join(' and ');
    const g = grain.toLowerCase();
    const joined = `with l as (
        select returnflag, date_trunc('${g}', shipped) as month, sum(extendedprice) as revenue, count(*) as lines
        from (${LINEITEM_SQL}) where ${filter('returnflag', 'shipped')} group by 1, 2
      ), t as (
        select returnflag, date_trunc('${g}', cast(month as timestamp(3))) as month, sum(target) as target
        from postgresql.${FUSION_SCHEMA}.targets where ${filter('returnflag', 'cast(month as timestamp(3))')} group by 1, 2
      ), j as (
        select coalesce(l.returnflag, t.returnflag) as returnflag, coalesce(l.month, t.month) as month, revenue, lines, target
        from l full join t on l.returnflag = t.returnflag and l.month = t.month
      )`;
    const rows = await queryTrino(
      direct,
      `${joined} select returnflag, date_format(month, '%Y-%m-%dT%H:%i:%s+00:00') as month, cast(revenue as double) as revenue,
        cast(lines as double) as lines, cast(target as double) as target from j order by returnflag asc nulls last, month asc nulls last`,
    );
    expectSameRows(response.data.flagsVsTargets.rows, rows, `fusion rows (${grain})`);
    expect(rows.some((r) => r.revenue === null || r.target === null)).toBe(true); // the full join kept keys of one side only
    const totals = await queryTrino(direct, `${joined} select cast(sum(revenue) as double) as revenue, cast(sum(target) as double) as target from j`);
    expectSameRows([response.data.flagsVsTargets.totals], totals, `fusion totals (${grain})`);
  }, 120_000);
});

/** The gateway's ISO instant of a bucket as its wall clock (`1997-03-01T00:00:00`), as the reference formats it. */
function wallClock(row: Record<string, unknown>, timeAliases: readonly string[]): Record<string, unknown> {
  const out = { ...row };
  for (const alias of timeAliases) if (typeof out[alias] === 'string') out[alias] = (out[alias] as string).slice(0, 19);
  return out;
}

/** Rows of a query run on Trino directly, as objects keyed by column name. */
async function queryTrino(client: Trino, sql: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const page of await client.query(sql)) {
    if (page.error) throw new Error(`reference query failed: ${page.error.message}\n${sql}`);
    const names = (page.columns ?? []).map((c) => c.name);
    for (const data of page.data ?? []) rows.push(Object.fromEntries(names.map((n, i) => [n, data[i]])));
  }
  return rows;
}
