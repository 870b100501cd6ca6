/**
 * Issue 12: progressive answers on the real Postgres server, beyond the differential
 * (progressiveDifferential.test.ts): over SSE; a client that leaves cancels the slices not
 * run yet and the one running; a cached plain query answers with one final version; a slice
 * that fails at the source ends the operation with a coded error and the socket lives on;
 * bad input is refused with a code; a caller's row policy holds in every version; and a
 * `progressive.by` that is not a time dimension is a config error naming the path.
 */
import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { subscribeSse } from './support/streamClients.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { hsToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './support/tokens.ts';
import { waitFor } from './support/waitFor.ts';
import { wsOperation } from './support/wsOperation.ts';

const admin = await connectTestPostgres();
const S = 'tributary_progressive';

const CONFIG = (url: string) => `
server: { limits: { maxSourceQueriesPerRequest: 1 } }
cache: { enabled: true }
auth: { jwt: { secret: "${TEST_SECRET}", issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE} }, anonymous: anonymous }
roles:
  anonymous: "*"
  east:
    sales: { rows: { region: { eq: "East" } } }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  sales:
    source: warehouse
    table: ${S}.sales
    timezone: Europe/Berlin
    progressive: { slices: 6 }
    dimensions: { region: { type: string }, ts: { type: time } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
  fragile:
    source: warehouse
    # Division by zero at the source on the rows of 2024's first quarter only.
    sql: "select s.*, 1.0 / s.divisor as risky from ${S}.sales s"
    timezone: Europe/Berlin
    progressive: { slices: 6 }
    dimensions: { region: { type: string }, ts: { type: time } }
    measures: { risky: { sum: risky } }
  slow:
    source: warehouse
    # Each statement first counts itself (a sequence: cancelled statements count too) and waits 0.4 s.
    sql: "select s.* from ${S}.sales s cross join (select ${S}.slow_statement() as started) w"
    timezone: Europe/Berlin
    progressive: { slices: 6 }
    dimensions: { region: { type: string }, ts: { type: time } }
    measures: { revenue: { sum: amount } }
`;

interface Version {
  progress: number;
  final: boolean;
  slices: { from: string | null; to: string | null; done: boolean }[];
  rows: { region: string; revenue: number }[];
  meta: { cache: string; sources: unknown[] };
}
const FIELDS = 'progress final slices { from to done } rows { region revenue } meta { cache sources { ms } }';

describe.skipIf(!admin)('progressive answers: transports, cancellation, failures, access', () => {
  let gw: TestGateway;
  let reference: pg.Client;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${S} cascade; create schema ${S};
      create table ${S}.sales as
        select timestamptz '2024-01-01 00:00:00+00' + (g * interval '53 minutes') as ts,
          (array['East','West','North'])[1 + g % 3] as region,
          (g % 89)::numeric(10,2) + 0.25 as amount,
          -- 0 on the rows of 2024's first quarter: the measure risky (1 / divisor) fails there only.
          case when g * 53 < 131040 then 0 else 1 end as divisor
        from generate_series(1, 20000) g;
      create sequence ${S}.statements;
      create function ${S}.slow_statement() returns int language plpgsql volatile as $$
        begin perform nextval('${S}.statements'); perform pg_sleep(0.4); return 1; end $$;`);
    gw = await startTestGateway(CONFIG(TEST_PG_URL));
    reference = new pg.Client({ connectionString: TEST_PG_URL });
    await reference.connect();
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await reference?.end();
    await admin?.query(`drop schema if exists ${S} cascade`);
    await admin?.end();
  });

  const byRegion = async (where = 'true') =>
    (await reference.query(`select region, sum(amount)::float8 as revenue from ${S}.sales where ${where} group by 1 order by 1`)).rows as { region: string; revenue: number }[];
  const sorted = (rows: Version['rows']) => [...rows].sort((a, b) => (a.region < b.region ? -1 : 1));

  it('works over SSE: versions as slices complete, then the exact answer, then the stream ends', async () => {
    const recording = subscribeSse(gw.server.url, 'sales', { query: `subscription { sales(orderBy: [{ region: ASC }]) { ${FIELDS} } }` });
    try {
      await waitFor('the final version over SSE', () => recording.errors.length > 0 || recording.versions.some((v) => (v as unknown as Version).final), 30_000);
      expect(recording.errors).toEqual([]);
      const versions = recording.versions as unknown as Version[];
      expect(versions.length).toBeGreaterThan(1);
      expect(versions.map((v) => v.progress)).toEqual([...versions.map((v) => v.progress)].sort((a, b) => a - b));
      const final = versions.at(-1)!;
      expect(final.slices).toHaveLength(6);
      const want = await byRegion();
      expect(final.rows.map((r) => r.region)).toEqual(want.map((r) => r.region));
      final.rows.forEach((row, i) => expect(row.revenue).toBeCloseTo(want[i]!.revenue, 6));
      // The newest slice came first: the first version covers only the last cell.
      expect(versions[0]!.slices.filter((s) => s.done)).toEqual([{ ...versions[0]!.slices[0]!, done: true }]);
      expect(versions[0]!.slices[0]!.to).toBeNull();
    } finally {
      await recording.close();
    }
  });

  it('a client that leaves after the first version cancels the slices left: no more statements start, none keeps running', async () => {
    const started = async () => Number((await reference.query(`select last_value, is_called from ${S}.statements`)).rows[0].is_called ? (await reference.query(`select last_value from ${S}.statements`)).rows[0].last_value : 0);
    const before = await started();
    const client = createClient({ url: gw.server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    const versions: Version[] = [];
    let unsubscribe = () => {};
    const firstVersion = new Promise<void>((resolve, reject) => {
      unsubscribe = client.subscribe(
        { query: `subscription { slow { ${FIELDS} } }` },
        {
          next: (r) => {
            versions.push((r.data as { slow: Version }).slow);
            resolve();
          },
          error: reject,
          complete: () => resolve(),
        },
      );
    });
    await firstVersion;
    unsubscribe();
    expect(versions).toHaveLength(1);
    expect(versions[0]!.final).toBe(false);
    // Nothing of the gateway's is left running at Postgres for this dataset.
    await waitFor(
      'no slow statement running',
      async () => (await reference.query(`select count(*)::int as n from pg_stat_activity where application_name = 'tributary' and state = 'active' and query like '%slow_statement%'`)).rows[0].n === 0,
      10_000,
    );
    const after = await started();
    await client.dispose();
    // The extent, the first slice and at most the one running when the client left: not all six.
    const statements = after - before;
    console.log(`progressive cancellation: ${statements} statements started for 6 slices before the client left`);
    expect(statements).toBeLessThanOrEqual(3);
    // The gateway serves the next request as usual.
    const again = await gw.query('{ sales { rows { region revenue } } }');
    expect(again.errors).toBeUndefined();
  }, 30_000);

  it('a cached plain query answers at once: one final version, HIT, no source call', async () => {
    const where = '{ region: { eq: "West" } }';
    const plain = await gw.query(`{ sales(where: ${where}) { rows { region revenue } totals { orders } } }`);
    expect(plain.errors).toBeUndefined();
    const outcome = await wsOperation(gw.server.url, { query: `subscription { sales(where: ${where}) { ${FIELDS} totals { orders } } }` });
    expect(outcome.results).toHaveLength(1);
    const only = outcome.results[0]!.data.sales as Version;
    expect(only).toMatchObject({ progress: 1, final: true, meta: { cache: 'HIT', sources: [] } });
    expect(only.rows).toEqual(plain.data.sales.rows);
  });

  it('a slice that fails at the source ends the operation with a coded error, no SQL in it; the socket goes on', async () => {
    const client = createClient({ url: gw.server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    const run = (query: string) =>
      new Promise<{ results: GraphQLResponse[]; closed?: unknown }>((resolve) => {
        const results: GraphQLResponse[] = [];
        client.subscribe({ query }, { next: (r) => void results.push(r as GraphQLResponse), error: (e) => resolve({ results, closed: e }), complete: () => resolve({ results }) });
      });
    try {
      const failed = await run(`subscription { fragile { progress final rows { region risky } } }`);
      expect(failed.closed).toBeUndefined();
      const last = failed.results.at(-1)!;
      expect(last.errors?.[0]?.extensions?.code).toBe('SOURCE_ERROR');
      expect(JSON.stringify(last.errors)).not.toMatch(/select|division|tributary_progressive/i);
      // Versions for the newer slices came before it.
      expect(failed.results.slice(0, -1).every((r) => r.data?.fragile?.final === false)).toBe(true);
      expect(failed.results.length).toBeGreaterThan(1);
      // The same socket serves the next operation to its end.
      const next = await run(`subscription { sales { final rows { region revenue } } }`);
      expect(next.results.at(-1)!.data.sales.final).toBe(true);
    } finally {
      await client.dispose();
    }
  }, 30_000);

  it('refuses bad input with a code before any version', async () => {
    const outcome = await wsOperation(gw.server.url, { query: 'subscription { sales(where: { ts: { gte: "not a time" } }) { final rows { revenue } } }' });
    const errors = outcome.refused ?? outcome.results[0]?.errors;
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(outcome.results.filter((r) => r.data?.sales)).toEqual([]);
  });

  it('gives up slicing when a slice has more groups than cache.maxCoreRows: the plain query answers, whole', async () => {
    const small = await startTestGateway(CONFIG(TEST_PG_URL).replace('cache: { enabled: true }', 'cache: { enabled: true, maxCoreRows: 50 }'));
    try {
      const outcome = await wsOperation(small.server.url, { query: 'subscription { sales(orderBy: [{ ts: ASC }], limit: 5000) { progress final slices { from to done } rows { ts(granularity: DAY) revenue } } }' });
      expect(outcome.results.every((r) => !r.errors)).toBe(true);
      const final = outcome.results.at(-1)!.data.sales as { final: boolean; rows: { revenue: number }[] };
      expect(final.final).toBe(true);
      // Slicing was given up: the final version is the plain query's, one open slice.
      expect((final as unknown as Version).slices).toEqual([{ from: null, to: null, done: true }]);
      const want = (await reference.query(`select count(distinct date_trunc('day', ts at time zone 'Europe/Berlin'))::int as n, sum(amount)::float8 as total from ${S}.sales`)).rows[0];
      expect(final.rows).toHaveLength(want.n);
      expect(final.rows.reduce((sum, r) => sum + r.revenue, 0)).toBeCloseTo(want.total, 4);
    } finally {
      await small.close();
    }
  });

  it("keeps a caller's row policy in every version", async () => {
    const token = await hsToken({ sub: 'e', role: 'east' });
    const client = createClient({ url: gw.server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    const versions: Version[] = [];
    await new Promise<void>((resolve, reject) =>
      client.subscribe({ query: `subscription { sales(cache: BYPASS) { ${FIELDS} } }` }, { next: (r) => void (r.errors ? reject(new Error(JSON.stringify(r.errors))) : versions.push((r.data as { sales: Version }).sales)), error: reject, complete: resolve }),
    );
    await client.dispose();
    expect(versions.length).toBeGreaterThan(1);
    for (const v of versions) expect(new Set(v.rows.map((r) => r.region))).toEqual(new Set(['East']));
    expect(sorted(versions.at(-1)!.rows)[0]!.revenue).toBeCloseTo((await byRegion("region = 'East'"))[0]!.revenue, 6);
  });
});

describe('progressive config', () => {
  it('names the path and the fix when progressive.by is not a time dimension', () => {
    const yaml = `
sources: { db: { kind: postgres, url: "postgres://x" } }
datasets:
  sales:
    source: db
    table: sales
    progressive: { by: region, slices: 4 }
    dimensions: { region: { type: string }, day: { type: time } }
    measures: { n: { count: "*" } }
`;
    expect(() => parseConfig(yaml)).toThrow(ConfigErrors);
    expect(() => parseConfig(yaml)).toThrow(/datasets\.sales\.progressive\.by: "region" is not a time dimension of this dataset; expected one of its time dimensions: day/);
    expect(() => parseConfig(yaml.replace('by: region, slices: 4', 'slices: 0'))).toThrow(/datasets\.sales\.progressive\.slices/);
  });
});
