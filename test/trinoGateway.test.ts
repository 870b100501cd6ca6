/**
 * A Trino dataset through the gateway's HTTP endpoint: the query's stats in
 * `meta.sources.progress`, a client that goes away cancels its Trino query (seen in
 * system.runtime.queries), and a query Trino rejects is SOURCE_ERROR with no SQL, host or
 * Trino text in what the client sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BasicAuth, Trino } from 'trino-client';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { connectTestTrino } from './support/trino.ts';
import { waitFor } from './support/waitFor.ts';

const trino = await connectTestTrino();
/** A user of its own, so this suite finds its queries in system.runtime.queries. */
const USER = `tributary-gw-${process.pid}`;

describe.skipIf(!trino)('Trino datasets through the gateway', () => {
  let gw: TestGateway;
  let direct: Trino;

  beforeAll(async () => {
    gw = await startTestGateway(`
cache: { enabled: false }
sources:
  lake: { kind: trino, url: "${trino!.url}", catalog: tpch, schema: tiny, user: ${USER} }
  big: { kind: trino, url: "${trino!.url}", catalog: tpch, schema: sf1, user: ${USER} }
datasets:
  nation:
    source: lake
    table: nation
    dimensions: { region: { type: number, column: regionkey } }
    measures: { nations: { count: "*" } }
  lineitem:
    source: big
    table: lineitem
    dimensions: { mode: { type: string, column: shipmode } }
    measures: { parts: { countDistinct: "partkey * 7 + suppkey" } }
  fragile:
    source: lake
    sql: "select nationkey, 100 / (nationkey - 5) as ratio from nation"
    dimensions: { ratio: { type: number } }
    measures: { n: { count: "*" } }
`);
    direct = Trino.create({ server: trino!.url, catalog: 'system', schema: 'runtime', auth: new BasicAuth('tributary-observer') });
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('meta.sources carries the Trino query stats', async () => {
    const response = await gw.query('{ nation { rows { region nations } meta { sources { source rows progress { queryId state completedSplits totalSplits processedRows } } } } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.nation.rows).toHaveLength(5);
    const [call] = response.data.nation.meta.sources;
    expect(call.source).toBe('lake');
    expect(call.progress.queryId).toMatch(/^\d{8}_\d{6}_\d+_\w+$/);
    expect(call.progress.state).toBe('FINISHED');
    expect(call.progress.processedRows).toBe(25);
    expect(call.progress.completedSplits).toBe(call.progress.totalSplits);
  });

  it('a client that goes away cancels its query at Trino', async () => {
    const controller = new AbortController();
    const request = gw.query('{ lineitem { rows { mode parts } } }', {}, { signal: controller.signal }).catch((error: unknown) => error);
    const running = await waitFor(
      'the gateway query to run at Trino',
      async () => (await queries(direct, `select query_id from queries where "user" = '${USER}' and state = 'RUNNING' and query like '%lineitem%' and query not like 'explain%'`))[0]?.query_id as string | undefined,
      120_000,
      200,
    );
    controller.abort();
    expect(await request).toBeInstanceOf(Error);
    const ended = await waitFor(
      `query ${running} to end`,
      async () => {
        const [row] = await queries(direct, `select state, error_code from queries where query_id = '${running}'`);
        return row && row.state !== 'RUNNING' ? row : null;
      },
      30_000,
      200,
    );
    expect(ended).toEqual({ state: 'FAILED', error_code: 'USER_CANCELED' });
  }, 180_000);

  it('a query Trino rejects is SOURCE_ERROR, and the client sees no SQL, host or Trino text', async () => {
    const response = await gw.query('{ fragile { rows { ratio n } } }');
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors!;
    expect(error!.message).toBe('source lake could not run the query');
    expect(error!.extensions).toMatchObject({ code: 'SOURCE_ERROR', source: 'lake' });
    const text = JSON.stringify(response);
    for (const leak of ['Division by zero', 'DIVISION_BY_ZERO', '127.0.0.1', 'select', 'nation', 'trinoError']) expect(text).not.toContain(leak);
  });
});

describe.skipIf(!trino)('Trino top-N: the source estimate (EXPLAIN (TYPE IO)) runs beside the bounded read', () => {
  let gw: TestGateway;
  let direct: Trino;

  beforeAll(async () => {
    gw = await startTestGateway(`
cache: { maxCoreRows: 1000 }
sources:
  big: { kind: trino, url: "${trino!.url}", catalog: tpch, schema: sf1, user: ${USER}-topn }
  lake: { kind: trino, url: "${trino!.url}", catalog: tpch, schema: tiny, user: ${USER}-topn }
datasets:
  orders:
    source: big
    table: orders
    dimensions: { key: { type: number, column: orderkey } }
    measures: { revenue: { sum: totalprice } }
  flags:
    source: lake
    table: lineitem
    dimensions: { flag: { type: string, column: returnflag } }
    measures: { qty: { sum: quantity } }
`);
    direct = Trino.create({ server: trino!.url, catalog: 'tpch', schema: 'sf1', auth: new BasicAuth('tributary-observer') });
  }, 300_000);

  afterAll(async () => {
    await gw?.close();
  });

  it('a core estimated at 1,500,000 groups (maxCoreRows 1,000) cancels the bounded read and pushes order and limit down', async () => {
    const response = await gw.query('{ orders(orderBy: [{ revenue: DESC }], limit: 3) { rows { key revenue } meta { cache sources { sql } } } }');
    expect(response.errors).toBeUndefined();
    const { rows, meta } = response.data.orders;
    expect(meta.cache).toBe('MISS');
    expect(meta.sources).toHaveLength(1);
    expect(meta.sources[0].sql).toMatch(/order by/i);
    const expected = await queries(direct, 'select orderkey as key, sum(totalprice) as revenue from orders group by orderkey order by 2 desc, 1 limit 3');
    expect(rows.map((r: { key: number; revenue: number }) => [r.key, r.revenue])).toEqual(expected.map((r) => [Number(r.key), Number(r.revenue)]));
  }, 120_000);

  it('a core estimated small is read whole (bounded), so the next top-N is answered from the cache', async () => {
    const first = await gw.query('{ flags(orderBy: [{ qty: DESC }], limit: 1) { rows { flag qty } meta { cache sources { sql } } } }');
    expect(first.errors).toBeUndefined();
    expect(first.data.flags.meta.sources).toHaveLength(1);
    expect(first.data.flags.meta.sources[0].sql).not.toMatch(/order by/i);
    const second = await gw.query('{ flags(orderBy: [{ qty: ASC }], limit: 2) { rows { flag qty } meta { cache sources { sql } } } }');
    expect(second.data.flags.meta.cache).not.toBe('MISS');
    expect(second.data.flags.meta.sources).toHaveLength(0);
  }, 120_000);
});

async function queries(client: Trino, sql: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const page of await client.query(sql)) {
    if (page.error) throw new Error(`${page.error.message}\n${sql}`);
    const names = (page.columns ?? []).map((c) => c.name);
    for (const data of page.data ?? []) rows.push(Object.fromEntries(names.map((n, i) => [n, data[i]])));
  }
  return rows;
}
