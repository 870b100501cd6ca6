/**
 * Issue 9: the graphql-sse client in single connection mode (PUT a reservation, GET the
 * stream, POST operations with the token) against a real server. Every operation runs
 * through Yoga, so authentication and row policies hold as on any other request; the
 * distinct-connections mode keeps working beside it.
 */
import { createClient, type Client } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';
import { hsToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './support/tokens.ts';

const SCHEMA = 'tributary_graphqlsse';
const MARKER = 'graphqlsse_sleep';
const CONFIG = `
auth: { jwt: { secret: "${TEST_SECRET}", issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE} }, anonymous: deny }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  orders:
    source: warehouse
    table: ${SCHEMA}.orders
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
  slow:
    source: warehouse
    sql: "select pg_sleep(30) as ${MARKER}, 1 as v"
    measures: { n: { count: "*" } }
roles:
  admin: "*"
  viewer:
    orders: { rows: { region: { eq: "North" } } }
`;
const QUERY = '{ orders { rows { region revenue } } }';
const ALL = [{ region: 'North', revenue: 10 }, { region: 'South', revenue: 20 }];

const admin = await connectTestPostgres();

/** Runs one operation to completion and returns every result it got; rejects on a transport error. */
function run(client: Client, query: string, timeoutMs = 10_000): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const results: unknown[] = [];
    const timer = setTimeout(() => reject(new Error(`no completion within ${timeoutMs} ms: ${JSON.stringify(results)}`)), timeoutMs);
    client.subscribe(
      { query },
      {
        next: (result) => results.push(result),
        error: (error) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          clearTimeout(timer);
          resolve(results);
        },
      },
    );
  });
}

describe.skipIf(!admin)('graphql-sse single connection mode', () => {
  let gw: TestGateway;
  const clients: Client[] = [];
  const client = (token: string | null, singleConnection = true) => {
    const c = createClient({
      url: gw.server.url,
      singleConnection,
      retryAttempts: 0,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA};
      create table ${SCHEMA}.orders as select * from (values ('North', 10.0), ('South', 20.0)) v(region, amount)`);
    gw = await startTestGateway(CONFIG);
  });
  afterAll(async () => {
    for (const c of clients) c.dispose();
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('answers a query over one reserved stream', async () => {
    const results = await run(client(await hsToken({ role: 'admin' })), QUERY);
    expect(results).toEqual([{ data: { orders: { rows: ALL } } }]);
  });

  it('runs several operations on the same stream, each with the caller\'s row policy', async () => {
    const viewer = client(await hsToken({ role: 'viewer' }));
    const [a, b] = await Promise.all([run(viewer, QUERY), run(viewer, '{ orders { rows { revenue } } }')]);
    expect(a).toEqual([{ data: { orders: { rows: [{ region: 'North', revenue: 10 }] } } }]);
    expect(b).toEqual([{ data: { orders: { rows: [{ revenue: 10 }] } } }]);
  });

  it('refuses a caller without a token: no reservation, 401 with UNAUTHENTICATED', async () => {
    await expect(run(client(null), QUERY)).rejects.toThrow(/401/);
    const response = await fetch(gw.server.url, { method: 'PUT' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a forged stream token opens no stream', async () => {
    const response = await fetch(`${gw.server.url}?token=not-a-reserved-token`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${await hsToken({ role: 'admin' })}` },
    });
    expect(response.status).toBe(400); // read as a distinct-connections request without a query
    expect(response.headers.get('content-type')).not.toMatch(/event-stream/);
    await response.body?.cancel();
  });

  it('closing the stream stops its operations at the source', async () => {
    const running = async () =>
      (await admin!.query(`select pid from pg_stat_activity where state = 'active' and query like '%${MARKER}%' and application_name = 'tributary'`)).rows;
    const slow = createClient({ url: gw.server.url, singleConnection: true, retryAttempts: 0, headers: { authorization: `Bearer ${await hsToken({ role: 'admin' })}` } });
    const ended = new Promise<void>((resolve) => slow.subscribe({ query: '{ slow { rows { n } } }' }, { next: () => {}, error: () => resolve(), complete: () => resolve() }));
    await waitFor('the slow query to reach Postgres', async () => (await running()).length > 0);
    const closedAt = Date.now();
    slow.dispose();
    await waitFor('the backend to stop running the query', async () => (await running()).length === 0, 5_000);
    expect(Date.now() - closedAt).toBeLessThan(5_000); // the query itself would take 30 s
    await ended;
  });

  it('the distinct connections mode still works', async () => {
    const results = await run(client(await hsToken({ role: 'admin' }), false), QUERY);
    expect(results).toEqual([{ data: { orders: { rows: ALL } } }]);
  });
});
