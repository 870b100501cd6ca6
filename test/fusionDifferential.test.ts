/**
 * Fusion differential suite: random queries over fusions of `sales` (Postgres) and
 * `targets` (DuckDB over a CSV), for each join kind, against one hand-written Postgres
 * query per case over the same data (each side aggregated and filtered on its own, then
 * joined, then having/order/limit; totals re-aggregated over the joined rows). The result
 * cache is on, so later queries are answered from cached member cores. Seeds are printed
 * with each failure.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { seededRandom, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { createFusionTables, FUSION_CONFIG, FUSION_SCHEMA, fusionName, JOINS, targetRows, targetsCsv } from './fusionDifferentialFixture.ts';
import { randomFusionQuery, referenceSql, toGraphQL } from './randomFusionQuery.ts';

const QUERIES = 300;
const admin = await connectTestPostgres();

describe.skipIf(!admin)('fusion differential: cross-source fusions vs one SQL query in Postgres', () => {
  let gw: TestGateway;
  let dir: string;

  beforeAll(async () => {
    const targets = targetRows();
    await createFusionTables(admin!, targets);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-fusion-'));
    const file = path.join(dir, 'targets.csv');
    await writeFile(file, targetsCsv(targets));
    gw = await startTestGateway(FUSION_CONFIG(TEST_PG_URL, file));
  });

  afterAll(async () => {
    await gw?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await admin?.query(`drop schema if exists ${FUSION_SCHEMA} cascade`);
    await admin?.end();
  });

  it(`agrees on ${QUERIES} random fusion queries`, async () => {
    const byJoin: Record<string, number> = { inner: 0, left: 0, full: 0 };
    let rowsCompared = 0;
    let totalsCompared = 0;
    let totalsOnly = 0;
    const outcomes: Record<string, number> = {};
    for (let seed = 1; seed <= QUERIES; seed++) {
      const spec = randomFusionQuery(seededRandom(seed));
      const { query, variables } = toGraphQL(spec);
      const sql = referenceSql(spec);
      const label = `seed ${seed}\n${query}\n${JSON.stringify(variables)}`;
      const actual = await gw.query(query, variables);
      expect(actual.errors, label).toBeUndefined();
      const result = Object.values(actual.data)[0] as { rows?: Record<string, unknown>[]; totals?: Record<string, unknown>; meta: { cache: string } };
      outcomes[result.meta.cache] = (outcomes[result.meta.cache] ?? 0) + 1;
      if (spec.totalsOnly) totalsOnly++;
      if (sql.rows) {
        const want = (await admin!.query(sql.rows, sql.params)).rows;
        expectSameRows(result.rows!, want, `${label}\nrows differ; reference SQL:\n${sql.rows}`);
        rowsCompared += want.length;
      }
      if (sql.totals) {
        const [totals] = (await admin!.query(sql.totals, sql.params)).rows;
        expectSameRows([result.totals!], [totals], `${label}\ntotals differ; reference SQL:\n${sql.totals}`);
        totalsCompared++;
      }
      byJoin[spec.join]!++;
    }
    console.log(
      `fusion differential: ${QUERIES} queries (inner ${byJoin.inner}, left ${byJoin.left}, full ${byJoin.full}), ${rowsCompared} rows and ${totalsCompared} totals (${totalsOnly} queries of totals alone) compared, 0 mismatches; cache outcomes ${JSON.stringify(outcomes)}`,
    );
    expect(Object.values(byJoin).every((n) => n > 40)).toBe(true);
  });

  // Rows without a key are one row per query, as for a dataset: each member aggregated
  // over the filter, joined on no key (one row from each side).
  it.each(JOINS)('%s join: rows selecting no key are one row of each member\'s aggregate', async (join) => {
    const response = await gw.query(`{ ${fusionName(join)}(where: { region: { in: ["North", "Arctic"] } }) { rows { revenue orders target } } }`);
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    const want = await admin!.query(`select
      (select sum(amount)::float8 from ${FUSION_SCHEMA}.sales where region in ('North', 'Arctic')) as revenue,
      (select count(*)::float8 from ${FUSION_SCHEMA}.sales where region in ('North', 'Arctic')) as orders,
      (select sum(target)::float8 from ${FUSION_SCHEMA}.targets where region in ('North', 'Arctic')) as target`);
    expectSameRows(response.data[fusionName(join)].rows, want.rows, `${join} join without keys`);
  });
});
