/**
 * Two replicas (two gateways in this process, same config) sharing one L2 in the real
 * Redis, over the real Postgres: a core one replica fetched answers HIT and DERIVED on the
 * other with the source table renamed away; an invalidation and a REFRESH on one reach the
 * other within a second; 20 concurrent identical misses spread over both make one source
 * query, rows alone and rows with totals. Conditions are awaited with deadlines, never slept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { connectTestRedis, deletePrefix, TEST_REDIS_URL, uniquePrefix } from './support/redis.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const SCHEMA = 'tributary_l2_replicas';
const TOKEN = 'l2-admin-token';

const CONFIG = (prefix: string) => `
server: { adminToken: ${TOKEN} }
cache: { enabled: true, l2: { redis: "${TEST_REDIS_URL}", prefix: "${prefix}" } }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  keyed:
    source: warehouse
    table: ${SCHEMA}.keyed
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
    cache: { refreshKey: "select max(id) from ${SCHEMA}.keyed", refreshEvery: 100ms }
${['sales', 'slow']
  .map(
    (name) => `  ${name}:
    source: warehouse
    ${name === 'sales' ? `table: ${SCHEMA}.sales` : `sql: "select t.*, (select pg_sleep(0.4)) as z from ${SCHEMA}.sales t"`}
    timezone: America/New_York
    dimensions: { region: { type: string }, channel: { type: string }, ts: { type: time, granularity: day } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, avgPrice: { avg: price }, maxAmount: { max: amount } }`,
  )
  .join('\n')}
`;

const CORE = 'limit: 5000) { rows { region ts(granularity: DAY) revenue orders avgPrice maxAmount }';
const ROLLUP = 'where: { region: { ne: "East" } }) { rows { region ts(granularity: MONTH) revenue avgPrice maxAmount }';

const pgAdmin = await connectTestPostgres();
const redis = await connectTestRedis();

describe.skipIf(!pgAdmin || !redis)('L2: two replicas on one Redis', () => {
  const prefix = uniquePrefix('replicas');
  let a: TestGateway;
  let b: TestGateway;
  let renamed = false;

  beforeAll(async () => {
    await pgAdmin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await pgAdmin!.query(`
      create table ${SCHEMA}.sales as
      select g as id,
        timestamptz '2024-01-01 05:00:00+00' + ((g::int8 * 7919) % (120 * 86400)) * interval '1 second' as ts,
        case when g % 31 = 0 then null else (array['North','South','East','West'])[1 + (g * 7) % 4] end as region,
        (array['web','store'])[1 + g % 2] as channel,
        ((g * 37) % 5000) / 100.0 + 1 as amount,
        case when g % 13 = 0 then null else ((g * 53) % 900) / 100.0 + 1 end as price
      from generate_series(1, 3000) g`);
    await pgAdmin!.query(`create table ${SCHEMA}.keyed as select id, region from ${SCHEMA}.sales`);
    a = await startTestGateway(CONFIG(prefix));
    b = await startTestGateway(CONFIG(prefix));
    await waitFor('both replicas connected to Redis', () => a.gateway.cache.l2?.status === 'ok' && b.gateway.cache.l2?.status === 'ok');
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (renamed) await pgAdmin?.query(`alter table ${SCHEMA}.sales_gone rename to sales`);
    await pgAdmin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await pgAdmin?.end();
    if (redis) await deletePrefix(redis, prefix);
    redis?.disconnect();
  });

  it('answers HIT and DERIVED on B from a core A fetched, with the source table renamed away', async () => {
    const truthCore = ok(await ask(a, 'sales', CORE, 'BYPASS'));
    const truthRollup = ok(await ask(a, 'sales', ROLLUP, 'BYPASS'));
    const fill = ok(await ask(a, 'sales', CORE));
    expect(fill.meta.cache).toBe('MISS');
    await waitFor('A stored the core in L2', async () => (await readMetric(a, 'tributary_l2_writes_total', { result: 'stored' })) >= 1);

    await pgAdmin!.query(`alter table ${SCHEMA}.sales rename to sales_gone`);
    renamed = true;
    const derived = ok(await ask(b, 'sales', ROLLUP));
    expect(derived.meta.cache).toBe('DERIVED');
    expect(derived.meta.sources).toEqual([]);
    expectSameRows(derived.rows, truthRollup.rows, 'roll-up on B');
    const hit = ok(await ask(b, 'sales', CORE));
    expect(hit.meta.cache).toBe('HIT');
    expect(hit.meta.sources).toEqual([]);
    expectSameRows(hit.rows, truthCore.rows, 'core on B');
    expect(await readMetric(b, 'tributary_source_queries_total')).toBe(0);
    expect(await readMetric(b, 'tributary_l2_reads_total', { result: 'hit' })).toBeGreaterThanOrEqual(1);

    await pgAdmin!.query(`alter table ${SCHEMA}.sales_gone rename to sales`);
    renamed = false;
  });

  it('carries an invalidation on A to B within 1 s', async () => {
    expect(b.gateway.cache.store.entriesOf('sales').length).toBeGreaterThan(0);
    const response = await post(a, 'mutation { invalidate(dataset: "sales") }');
    expect(response.errors).toBeUndefined();
    await waitFor('B dropped its entries of sales', () => b.gateway.cache.store.entriesOf('sales').length === 0, 1_000, 5);
    expect(await readMetric(b, 'tributary_l2_messages_total', { kind: 'invalidate' })).toBeGreaterThanOrEqual(1);
    // L2 went with it: B's next query goes to the source.
    const after = ok(await ask(b, 'sales', CORE));
    expect(after.meta.cache).toBe('MISS');
  });

  it('carries a REFRESH on A to B: B drops its copy and reads the refreshed core from L2', async () => {
    await waitFor('B stored the core in L2', async () => (await readMetric(b, 'tributary_l2_writes_total', { result: 'stored' })) >= 1);
    ok(await ask(a, 'sales', CORE)); // A loads it from L2 (HIT)
    await pgAdmin!.query(`update ${SCHEMA}.sales set amount = amount + 1000 where id = 1`);
    const refreshed = ok(await ask(a, 'sales', CORE, 'REFRESH'));
    expect(refreshed.meta.sources.length).toBe(1);
    const key = [...b.gateway.cache.store.entriesOf('sales')][0]!.key;
    await waitFor('B dropped its copy of the refreshed core', () => b.gateway.cache.store.get(key) === undefined, 1_000, 5);
    const onB = ok(await ask(b, 'sales', CORE));
    expect(onB.meta.cache).toBe('HIT');
    expect(onB.meta.sources).toEqual([]);
    expectSameRows(onB.rows, refreshed.rows, 'refreshed core on B');
  });

  it('invalidates L2 once for a refreshKey change that both replicas see', async () => {
    const query = '{ keyed { rows { region orders } meta { cache } } }';
    expect((await a.query(query)).data.keyed.meta.cache).toBe('MISS');
    await waitFor('B reads the core from L2', async () => (await b.query(query)).data.keyed.meta.cache === 'HIT');
    const seen: Promise<boolean>[] = [];
    for (const gw of [a, b]) {
      const l2 = gw.gateway.cache.l2!;
      const original = l2.refreshKeyChanged.bind(l2);
      l2.refreshKeyChanged = (dataset, value) => {
        const done = original(dataset, value);
        seen.push(done);
        return done;
      };
    }
    await pgAdmin!.query(`insert into ${SCHEMA}.keyed values (100000, 'North')`);
    await waitFor('both replicas saw the new refreshKey', () => seen.length === 2);
    expect((await Promise.all(seen)).filter(Boolean)).toHaveLength(1); // the first one invalidated L2; the other found it done
    const after = await b.query(query);
    expect(after.data.keyed.meta.cache).toBe('MISS');
    expect(after.data.keyed.rows.find((r: { region: string }) => r.region === 'North').orders).toBe(
      Number((await pgAdmin!.query(`select count(*) from ${SCHEMA}.keyed where region = 'North'`)).rows[0].count),
    );
  });

  it.each([
    ['rows alone', 'where: { channel: { eq: "web" } }) { rows { region revenue orders }'],
    ['rows with totals', 'where: { channel: { eq: "store" } }) { rows { region revenue orders } totals { revenue orders }'],
  ])('makes one source query for 20 concurrent identical misses over both replicas (%s)', async (_what, query) => {
    const before = (await readMetric(a, 'tributary_source_queries_total')) + (await readMetric(b, 'tributary_source_queries_total'));
    const truth = ok(await ask(a, 'slow', query, 'BYPASS'));
    const afterTruth = (await readMetric(a, 'tributary_source_queries_total')) + (await readMetric(b, 'tributary_source_queries_total'));
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => ask(i % 2 === 0 ? a : b, 'slow', query)));
    for (const response of responses) {
      const answer = ok(response);
      expectSameRows(answer.rows, truth.rows, 'concurrent answer');
      if (truth.totals) expect(answer.totals).toEqual(truth.totals);
    }
    const after = (await readMetric(a, 'tributary_source_queries_total')) + (await readMetric(b, 'tributary_source_queries_total'));
    expect(afterTruth - before).toBeGreaterThanOrEqual(1); // the BYPASS reference (rows and totals apart)
    expect(after - afterTruth).toBe(1);
    const waits = (await readMetric(a, 'tributary_l2_lock_waits_total', { result: 'served' })) + (await readMetric(b, 'tributary_l2_lock_waits_total', { result: 'served' }));
    expect(waits).toBeGreaterThanOrEqual(1); // the other replica waited for the query, rather than finding it done
  });
});

function ok(response: GraphQLResponse): { rows: Record<string, unknown>[]; totals?: Record<string, unknown>; meta: { cache: string; sources: unknown[] } } {
  expect(response.errors).toBeUndefined();
  const [answer] = Object.values(response.data) as any[];
  return answer;
}

function ask(gw: TestGateway, dataset: string, argsAndSelection: string, cache = 'DEFAULT'): Promise<GraphQLResponse> {
  const [args, selection] = argsAndSelection.split(') {');
  return gw.query(`{ ${dataset}(${args ? `${args}, ` : ''}cache: ${cache}) {${selection} meta { cache sources { sql rows } } } }`);
}

async function post(gw: TestGateway, query: string): Promise<GraphQLResponse> {
  const response = await fetch(gw.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphQLResponse;
}
