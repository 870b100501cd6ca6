/**
 * Redis killed (SIGKILL) while requests flow through two replicas sharing it: every
 * request still gets the right answer (from L1 or the source), /readyz stays ready and
 * says l2 "down", tributary_l2_up drops to 0; after Redis restarts (empty), both replicas
 * reconnect on their own and L2 serves one replica's core to the other again.
 * Uses a private redis-server (test/support/redis.ts), never the machine's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { startPrivateRedis } from './support/redis.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const SCHEMA = 'tributary_l2_redis_down';

const CONFIG = (url: string) => `
cache: { enabled: true, l2: { redis: "${url}", prefix: "down:", timeout: 300ms } }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    dimensions: { region: { type: string }, channel: { type: string }, ts: { type: time, granularity: day } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
`;

/** Queries of the flow: cores and what derives from them. */
const QUERIES = [
  'rows { region channel revenue orders }',
  'rows { region revenue }',
  'rows { channel orders } totals { revenue }',
  'rows { ts(granularity: MONTH) revenue }',
  'rows { region ts(granularity: WEEK) orders }',
  'rows { ts(granularity: DAY) revenue }',
].flatMap((selection) => [`{ sales(limit: 5000) { ${selection} meta { cache } } }`, `{ sales(limit: 5000, where: { region: { ne: "East" } }) { ${selection} meta { cache } } }`]);

const pgAdmin = await connectTestPostgres();
const redis = pgAdmin ? await startPrivateRedis() : null;

afterAll(async () => {
  await pgAdmin?.end();
});

describe.skipIf(!pgAdmin || !redis)('L2: Redis killed mid-run', () => {
  let a: TestGateway;
  let b: TestGateway;
  const truth = new Map<string, GraphQLResponse['data']>();

  beforeAll(async () => {
    await pgAdmin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await pgAdmin!.query(`
      create table ${SCHEMA}.sales as
      select g as id,
        timestamptz '2024-01-01 00:00:00+00' + ((g::int8 * 7919) % (90 * 86400)) * interval '1 second' as ts,
        (array['North','South','East','West'])[1 + (g * 7) % 4] as region,
        (array['web','store'])[1 + g % 2] as channel,
        ((g * 37) % 5000) / 100.0 + 1 as amount
      from generate_series(1, 2000) g`);
    a = await startTestGateway(CONFIG(redis!.url));
    b = await startTestGateway(CONFIG(redis!.url));
    await waitFor('both replicas connected to Redis', () => a.gateway.cache.l2?.status === 'ok' && b.gateway.cache.l2?.status === 'ok');
    for (const query of QUERIES) {
      const response = await a.query(query.replace('sales(', 'sales(cache: BYPASS, '));
      expect(response.errors).toBeUndefined();
      truth.set(query, response.data);
    }
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    await pgAdmin?.query(`drop schema if exists ${SCHEMA} cascade`);
  });

  it('loses no request while Redis dies and comes back, reports it, and reconnects', async () => {
    const failures: string[] = [];
    const outcomes = new Map<string, number>();
    let done = 0;
    let slowestMs = 0;
    let flowing = true;
    const flow = async (worker: number) => {
      for (let i = worker; flowing; i += 4) {
        const gw = i % 2 === 0 ? a : b;
        const query = QUERIES[i % QUERIES.length]!;
        // Now and then a replica invalidates: misses keep L2 reads, writes and locks busy.
        if (i % 9 === 0) gw.gateway.cache.invalidate('sales');
        const started = Date.now();
        try {
          const response = await gw.query(query);
          if (response.errors) throw new Error(JSON.stringify(response.errors));
          const want = truth.get(query)!.sales;
          expectSameRows(response.data.sales.rows, want.rows, query);
          expect(response.data.sales.totals ?? null).toEqual(want.totals ?? null);
          const outcome = response.data.sales.meta.cache as string;
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        } catch (error) {
          failures.push(`${query}: ${(error as Error).message}`);
        }
        slowestMs = Math.max(slowestMs, Date.now() - started);
        done++;
      }
    };
    const workers = [0, 1, 2, 3].map(flow);
    const flowed = (n: number) => {
      const target = done + n;
      return waitFor(`${n} more requests`, () => done >= target, 30_000);
    };
    try {
      await flowed(60);
      expect(await readMetric(a, 'tributary_l2_writes_total', { result: 'stored' }) + (await readMetric(b, 'tributary_l2_writes_total', { result: 'stored' }))).toBeGreaterThan(0);

      await redis!.kill();
      const killedAt = done;
      await waitFor('readyz: ready, l2 down', async () => {
        const ready = await readyz(a);
        return ready.status === 200 && ready.body.ready === true && ready.body.l2 === 'down';
      });
      await waitFor('tributary_l2_up 0 on both', async () => (await readMetric(a, 'tributary_l2_up')) === 0 && (await readMetric(b, 'tributary_l2_up')) === 0);
      await flowed(60);

      await redis!.restart();
      const restartedAt = done;
      await waitFor('readyz: l2 ok again', async () => (await readyz(a)).body.l2 === 'ok' && (await readyz(b)).body.l2 === 'ok', 15_000);
      expect(await readMetric(b, 'tributary_l2_up')).toBe(1);
      await flowed(60);
      flowing = false;
      await Promise.all(workers);
      console.log(`requests: ${done} (${restartedAt - killedAt} while Redis was down); outcomes ${JSON.stringify(Object.fromEntries(outcomes))}; slowest ${slowestMs} ms`);
    } finally {
      flowing = false;
      await Promise.all(workers);
    }
    expect(failures).toEqual([]);

    // L2 works again: a core A fetches after the restart answers B without its source.
    a.gateway.cache.invalidate('sales');
    await waitFor('B heard the invalidation', () => b.gateway.cache.store.entriesOf('sales').length === 0);
    const storedBefore = await readMetric(a, 'tributary_l2_writes_total', { result: 'stored' });
    const query = QUERIES[0]!;
    expect((await a.query(query)).data.sales.meta.cache).toBe('MISS');
    await waitFor('A stored the core in the restarted Redis', async () => (await readMetric(a, 'tributary_l2_writes_total', { result: 'stored' })) > storedBefore);
    const sourceBefore = await readMetric(b, 'tributary_source_queries_total');
    const onB = await b.query(query);
    expect(onB.data.sales.meta.cache).toBe('HIT');
    expect(await readMetric(b, 'tributary_source_queries_total')).toBe(sourceBefore);
  });
});

describe.skipIf(!pgAdmin || !redis)('L2: Redis hung (SIGSTOP)', () => {
  it('answers every request while Redis holds its connections without answering, then uses L2 again', async () => {
    const hung = (await startPrivateRedis())!;
    let gw: TestGateway | undefined;
    try {
      await pgAdmin!.query(`drop schema if exists ${SCHEMA}_hung cascade; create schema ${SCHEMA}_hung`);
      await pgAdmin!.query(`create table ${SCHEMA}_hung.sales as select * from generate_series(1, 500) g, lateral (select
        timestamptz '2024-01-01' + (g * 3607) * interval '1 second' as ts, (array['North','South'])[1 + g % 2] as region, 'web' as channel, g / 10.0 as amount) x`);
      const g = (gw = await startTestGateway(CONFIG(hung.url).replace(`${SCHEMA}.sales`, `${SCHEMA}_hung.sales`)));
      await waitFor('connected to Redis', () => g.gateway.cache.l2?.status === 'ok');
      const query = QUERIES[1]!;
      const want = (await g.query(query.replace('sales(', 'sales(cache: BYPASS, '))).data.sales.rows;
      hung.freeze();
      for (let i = 0; i < 10; i++) {
        g.gateway.cache.invalidate('sales'); // every request misses: L2 would be asked each time
        const response = await g.query(query);
        expect(response.errors).toBeUndefined();
        expectSameRows(response.data.sales.rows, want, `request ${i} while Redis is hung`);
      }
      expect(g.gateway.cache.l2!.link.healthy()).toBe(false); // a command timed out: L2 is skipped for a while
      hung.thaw();
      // Thawed: the next misses store their cores in L2 again.
      await waitFor('L2 stores a core again', async () => {
        g.gateway.cache.invalidate('sales');
        await g.query(query);
        return (await readMetric(g, 'tributary_l2_writes_total', { result: 'stored' })) >= 1;
      }, 15_000, 100);
    } finally {
      hung.thaw();
      await gw?.close();
      await hung.stop();
      await pgAdmin!.query(`drop schema if exists ${SCHEMA}_hung cascade`);
    }
  });
});

async function readyz(gw: TestGateway): Promise<{ status: number; body: { ready: boolean; l2?: string } }> {
  const response = await fetch(gw.server.url.replace(/\/graphql$/, '/readyz'));
  return { status: response.status, body: (await response.json()) as { ready: boolean; l2?: string } };
}
