/**
 * DERIVED answers touch no source. A core (revenue, orders, avgPrice, min/max and distinct
 * customers by region × day) is cached; then the source table is renamed away, so any
 * query that reaches Postgres fails. Dashboard interactions the derivation rules cover must
 * still answer, with the values BYPASS gave before the rename, without a source call; the
 * ones they do not cover (a countDistinct roll-up, a new dimension) must fail at the source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog } from './support/captureLog.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_cache_nosource';

const CONFIG = (url: string) => `
cache: { enabled: true }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    timezone: America/New_York
    dimensions:
      region: { type: string }
      channel: { type: string }
      ts: { type: time, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      avgPrice: { avg: price }
      minAmount: { min: amount }
      maxAmount: { max: amount }
      customers: { countDistinct: customer }
`;

const CORE = ['limit: 5000', 'rows { region ts(granularity: DAY) revenue orders avgPrice minAmount maxAmount customers }'] as const;

type Interaction = readonly [what: string, args: string, selection: string];

/** Interactions answerable from CORE. */
const DERIVABLE: readonly Interaction[] = [
  ['month roll-up', '', 'rows { region ts(granularity: MONTH) revenue orders avgPrice }'],
  ['week roll-up of min/max', '', 'rows { ts(granularity: WEEK) minAmount maxAmount }'],
  ['region filter', 'where: { region: { eq: "North" } }', 'rows { ts(granularity: DAY) revenue avgPrice }'],
  ['region notIn (nulls drop out)', 'where: { region: { notIn: ["East"] } }', 'rows { region avgPrice orders }'],
  ['null region', 'where: { region: { isNull: true } }', 'rows { ts(granularity: MONTH) revenue }'],
  ['top-3 by revenue', 'orderBy: [{ revenue: DESC }], limit: 3', 'rows { region revenue }'],
  ['having', 'having: { orders: { gt: 150 } }', 'rows { region ts(granularity: MONTH) orders }'],
  ['totals', '', 'rows { region revenue } totals { revenue orders avgPrice minAmount maxAmount }'],
  ['calc', '', 'rows { region maxAmount calc(expr: "revenue / orders") } totals { calc(expr: "maxAmount - minAmount") }'],
  ['offset', 'orderBy: [{ ts: DESC }], limit: 2, offset: 1', 'rows { ts(granularity: MONTH) revenue }'],
  ['quarter, filtered on month starts', 'where: { ts: { gte: "2024-02-01", lt: "2024-04-01" } }', 'rows { region ts(granularity: QUARTER) revenue }'],
  ['distinct count, same dimensions', 'where: { region: { in: ["West", "South"] } }, orderBy: [{ customers: DESC }], limit: 5', 'rows { region ts customers }'],
  ['the core itself, re-sorted', 'orderBy: [{ avgPrice: ASC }], limit: 20', 'rows { region ts revenue orders avgPrice minAmount maxAmount customers }'],
];

/** Interactions the cached core cannot answer: they go to the (now missing) table. */
const UNDERIVABLE: readonly Interaction[] = [
  ['countDistinct roll-up', '', 'rows { region customers }'],
  ['a dimension not in the core', '', 'rows { channel revenue }'],
];

const admin = await connectTestPostgres();

describe.skipIf(!admin)('cache: DERIVED answers touch no source', () => {
  let gw: TestGateway;
  let renamed = false;
  const expected = new Map<string, { rows: unknown[]; totals: unknown }>();

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.sales as
      select g as id,
        timestamptz '2024-01-01 05:00:00+00' + ((g::int8 * 7919) % (120 * 86400)) * interval '1 second' as ts,
        case when g % 31 = 0 then null else (array['North','South','East','West'])[1 + (g * 7) % 4] end as region,
        (array['web','store'])[1 + g % 2] as channel,
        ((g * 37) % 5000) / 100.0 + 1 as amount,
        case when g % 13 = 0 then null else ((g * 53) % 900) / 100.0 + 1 end as price,
        1 + (g * 31) % 211 as customer
      from generate_series(1, 3000) g`);
    gw = await startTestGateway(CONFIG(TEST_PG_URL));
  });

  afterAll(async () => {
    await gw?.close();
    if (renamed) await admin?.query(`alter table ${SCHEMA}.sales_gone rename to sales`);
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('caches the core, and records what BYPASS answers for each interaction', async () => {
    const fill = await ask(gw, ...CORE);
    expect(fill.errors).toBeUndefined();
    expect(fill.data.sales.meta.cache).toBe('MISS');
    expect(fill.data.sales.rows.length).toBeGreaterThan(400);
    for (const [what, args, selection] of DERIVABLE) {
      const truth = await ask(gw, args, selection, 'BYPASS');
      expect(truth.errors, what).toBeUndefined();
      expect(truth.data.sales.rows.length + Object.keys(truth.data.sales.totals ?? {}).length, what).toBeGreaterThan(0);
      expected.set(what, truth.data.sales);
    }
  });

  it(`answers ${DERIVABLE.length} interactions from the cache after the table is renamed away`, async () => {
    const sourceQueries = await readMetric(gw, 'tributary_source_queries_total');
    await admin!.query(`alter table ${SCHEMA}.sales rename to sales_gone`);
    renamed = true;
    for (const [what, args, selection] of DERIVABLE) {
      const response = await ask(gw, args, selection);
      expect(response.errors, what).toBeUndefined();
      const { rows, totals, meta } = response.data.sales;
      expect(['DERIVED', 'HIT'], what).toContain(meta.cache);
      expect(meta.sources, what).toEqual([]);
      const want = expected.get(what)!;
      expectSameRows(rows, want.rows as Record<string, unknown>[], `${what}: rows`);
      if (totals) expectSameRows([totals], [want.totals as Record<string, unknown>], `${what}: totals`);
    }
    expect(await readMetric(gw, 'tributary_source_queries_total')).toBe(sourceQueries);
  });

  it.each(UNDERIVABLE)('sends "%s" to the source, which fails: the table is gone', async (_what, args, selection) => {
    expect(renamed).toBe(true);
    const before = await readMetric(gw, 'tributary_source_queries_total');
    const log = captureLog();
    const response = await ask(gw, args, selection).finally(() => log.stop());
    expect(response.errors?.[0]?.extensions?.code).toBe('SOURCE_ERROR');
    expect(response.errors?.[0]?.message).toBe('source warehouse could not run the query');
    // The client gets the stable message; the driver's words are logged under the request id.
    const logged = log.forRequest(String(response.errors?.[0]?.extensions?.requestId));
    expect(logged.map((l) => l.err?.message)).toEqual([expect.stringMatching(/sales.*does not exist/)]);
    expect(await readMetric(gw, 'tributary_source_queries_total')).toBe(before + 1);
  });
});

/** Runs `sales(args, cache) { selection meta {..} }`. */
async function ask(gw: TestGateway, args: string, selection: string, cache: 'DEFAULT' | 'BYPASS' = 'DEFAULT'): Promise<GraphQLResponse> {
  return gw.query(`{ sales(${args ? `${args}, ` : ''}cache: ${cache}) { ${selection} meta { cache sources { sql rows } } } }`);
}
