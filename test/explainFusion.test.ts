/**
 * Issue 9, item 6: explain on a fusion printed nothing and ran the member queries at the
 * sources (answerFusion ran its members through the cache around the recording stub).
 * Explain must print each member's plan, key and SQL — under the member's row policy when
 * a role is given — and run nothing: every source here fails the test if it executes a
 * query, and tributary_source_queries_total must not move.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Source } from '../sources/index.ts';
import { explainQuery, printExplained } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_explain_fusion';
const admin = await connectTestPostgres();

const CONFIG = `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
  files: { kind: duckdb }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    timezone: UTC
    dimensions: { region: { type: string }, orderDate: { type: time, column: ts, granularity: month } }
    measures: { revenue: { sum: amount } }
  targets:
    source: files
    sql: "select 'North' as region, timestamp '2024-01-01' as month, 10.0 as target"
    timezone: UTC
    dimensions: { region: { type: string }, month: { type: time, granularity: month } }
    measures: { target: { sum: target } }
fusions:
  salesVsTargets:
    join: full
    keys: { region: string, month: time }
    members:
      sales: { region: region, month: orderDate }
      targets: { region: region, month: month }
auth:
  jwt: { secret: "explain-fusion-test-secret-of-at-least-32-bytes" }
roles:
  admin: "*"
  tenant:
    sales: { rows: { region: { in: "$claims.regions" } } }
    targets: { rows: { region: { in: "$claims.regions" } } }
    salesVsTargets: {}
`;

const FUSION = '{ salesVsTargets(where: { region: { ne: "West" } }, orderBy: [{ revenue: DESC }], limit: 3) { rows { region month revenue target } totals { revenue } } }';

describe.skipIf(!admin)('explain on a fusion (real Postgres and DuckDB)', () => {
  let gw: TestGateway;
  /** Queries the sources were asked to execute: explain must leave this empty. */
  const executed: string[] = [];
  const sourceQueries = async () => (await gw.gateway.metrics.registry.getSingleMetricAsString('tributary_source_queries_total')).split('\n').filter((l) => /^tributary_source_queries_total\{/.test(l)).reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`create table ${SCHEMA}.sales as select (array['North','South','West'])[1 + i % 3] as region, i * 1.5 as amount, timestamptz '2024-01-01' + i * interval '5 day' as ts from generate_series(1, 60) i`);
    gw = await startTestGateway(CONFIG);
    // The injected fault: any source execution during explain fails loudly and is recorded.
    for (const source of gw.gateway.sources.values() as Iterable<Source>) {
      source.execute = async (query) => {
        executed.push(`${source.name}: ${query.sql}`);
        throw new Error(`explain ran a query at source ${source.name}`);
      };
    }
  });
  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it("prints each member's plan, key and SQL, and runs nothing at any source", async () => {
    const before = await sourceQueries();
    const { plans, errors } = await explainQuery(gw.gateway, FUSION);
    expect(errors).toEqual([]);
    expect(plans.map((p) => [p.field, p.role, p.member])).toEqual([
      ['salesVsTargets', 'member', 'sales'],
      ['salesVsTargets', 'member', 'targets'],
    ]);
    const [sales, targets] = plans;
    expect(sales!.sql).toContain(`from "${SCHEMA}"."sales"`);
    expect(sales!.sql).toMatch(/sum\(/i);
    expect(targets!.sql).toMatch(/select 'North' as region/);
    // The fusion's filter reaches every member as a bound parameter; order and limit stay on the fused rows.
    for (const p of plans) {
      expect(p.params).toContain('West');
      expect(p.plan.limit).toBeNull();
      expect(p.key).toMatch(/^[0-9a-f]{16,}$/);
      expect(p.cache).toMatch(/^MISS/);
    }
    const printed = plans.map(printExplained).join('\n\n');
    expect(printed).toContain('# salesVsTargets member sales');
    expect(printed).toContain('# salesVsTargets member targets');
    expect(printed).toContain(`key: ${sales!.key}`);
    expect(printed).toContain(`key: ${targets!.key}`);
    expect(executed).toEqual([]);
    expect(await sourceQueries()).toBe(before);
    // Nothing was cached either: the explained members are still misses.
    expect((await explainQuery(gw.gateway, FUSION)).plans.map((p) => p.cache.split(':')[0])).toEqual(['MISS', 'MISS']);
  });

  it("with a role, each member carries that member's row policy, and still nothing runs", async () => {
    const before = await sourceQueries();
    const access = { role: gw.gateway.config.roles.tenant!, claims: { regions: ['North', 'East'] } };
    const { plans, errors } = await explainQuery(gw.gateway, FUSION, {}, access);
    expect(errors).toEqual([]);
    expect(plans.map((p) => p.member)).toEqual(['sales', 'targets']);
    for (const p of plans) {
      expect(p.plan.security).toEqual([{ kind: 'in', field: 'region', negated: false, values: ['East', 'North'] }]);
      expect(printExplained(p)).toMatch(/security: .*region.*East.*North/);
      expect(p.params).toContainEqual(['East', 'North']);
    }
    // Another tenant's members have other keys: their cores never mix.
    const south = await explainQuery(gw.gateway, FUSION, {}, { ...access, claims: { regions: ['South'] } });
    expect(south.plans.map((p) => p.coreKey)).not.toEqual(plans.map((p) => p.coreKey));
    expect(executed).toEqual([]);
    expect(await sourceQueries()).toBe(before);
  });

  it('explains a fusion beside a dataset field in one document, in document order', async () => {
    const { plans, errors } = await explainQuery(gw.gateway, `{ sales { rows { region revenue } } ${FUSION.slice(1, -1)} }`);
    expect(errors).toEqual([]);
    expect(plans.map((p) => `${p.field} ${p.role} ${p.member ?? ''}`.trim())).toEqual(['sales rows', 'salesVsTargets member sales', 'salesVsTargets member targets']);
    expect(executed).toEqual([]);
  });
});
