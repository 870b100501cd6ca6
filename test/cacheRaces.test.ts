/**
 * Cache correctness under races and odd settings (issue 9, item 7), on the real sources:
 * - an invalidation (Mutation.invalidate, or a refreshKey change seen by its watcher) while
 *   a source query is in flight: the query is held on a real table lock (no sleeps), the
 *   invalidation lands, the lock is released; the old result answers its own request but
 *   is not stored, so the next request goes to the source;
 * - a top-N on DuckDB (which gives no estimate) over 3,000 groups: the core is fetched with
 *   limit maxCoreRows + 1, then order and limit are pushed down, never all 3,000 groups;
 * - `ttl: 0s` and `refreshEvery: 0s` are config errors that name their path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const SCHEMA = 'tributary_cache_races';
const TOKEN = 'races-admin-token';
const admin = await connectTestPostgres();

const CONFIG = `
server: { adminToken: ${TOKEN} }
cache: { enabled: true, maxCoreRows: 1000 }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
  files: { kind: duckdb }
datasets:
  facts:
    source: warehouse
    table: ${SCHEMA}.facts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
  keyed:
    source: warehouse
    table: ${SCHEMA}.keyed
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
    cache: { refreshKey: "select max(version) from ${SCHEMA}.marker", refreshEvery: 100ms }
  many:
    source: files
    sql: "select 'c' || lpad(i::varchar, 5, '0') as customer, (i * 7919) % 1000 as amount from range(3000) t(i)"
    dimensions: { customer: { type: string } }
    measures: { revenue: { sum: amount } }
`;

type Meta = { cache: string; sources: { sql: string; rows: number }[] };

describe.skipIf(!admin)('cache races on real sources', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    for (const table of ['facts', 'keyed']) {
      await admin!.query(`create table ${SCHEMA}.${table} as select g as id, (array['North','South'])[1 + g % 2] as region, g as amount from generate_series(1, 100) g`);
    }
    await admin!.query(`create table ${SCHEMA}.marker as select 1 as version`);
    gw = await startTestGateway(CONFIG);
  });

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('a source query in flight across Mutation.invalidate answers its request but is not stored', async () => {
    const ask = async () => {
      const response = await gw.query('{ facts { rows { region revenue } meta { cache } } }');
      expect(response.errors).toBeUndefined();
      return response.data.facts as { rows: { region: string; revenue: number }[]; meta: Meta };
    };
    const locker = await connectTestPostgres();
    try {
      // Hold the gateway's query on a lock until the invalidation has happened.
      await locker!.query(`begin; lock table ${SCHEMA}.facts in access exclusive mode`);
      const inFlight = ask();
      await waitFor('the gateway query to wait on the lock', async () => {
        const { rows } = await admin!.query(
          `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%cache_races%' and pid <> pg_backend_pid()`,
        );
        return rows[0].n > 0;
      }, 10_000);
      const invalidated = await fetch(gw.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ query: 'mutation { invalidate(dataset: "facts") }' }),
      });
      expect((await invalidated.json()).errors).toBeUndefined();
      await locker!.query(`insert into ${SCHEMA}.facts values (101, 'North', 1000); commit`);
      expect((await inFlight).meta.cache).toBe('MISS');
    } finally {
      await locker?.query('rollback').catch(() => {});
      await locker?.end();
    }
    const after = await ask();
    expect(after.meta.cache).toBe('MISS');
    expect(after.rows.find((r) => r.region === 'North')!.revenue).toBe(2550 + 1000);
  });

  it('a source query in flight across a refreshKey change answers its request but is not stored', async () => {
    const ask = async () => {
      const response = await gw.query('{ keyed { rows { region revenue } meta { cache } } }');
      expect(response.errors).toBeUndefined();
      return response.data.keyed as { rows: { region: string; revenue: number }[]; meta: Meta };
    };
    // The watcher drops entries through cache.invalidate: count its calls to know it acted.
    const cache = gw.gateway.cache;
    const invalidate = cache.invalidate.bind(cache);
    const invalidated: (string | undefined)[] = [];
    cache.invalidate = (dataset?: string) => (invalidated.push(dataset), invalidate(dataset));
    const locker = await connectTestPostgres();
    try {
      await locker!.query(`begin; lock table ${SCHEMA}.keyed in access exclusive mode`);
      const inFlight = ask();
      await waitFor('the gateway query to wait on the lock', async () => {
        const { rows } = await admin!.query(
          `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query ilike '%cache_races%keyed%' and pid <> pg_backend_pid()`,
        );
        return rows[0].n > 0;
      }, 10_000);
      await admin!.query(`update ${SCHEMA}.marker set version = version + 1`);
      await waitFor('the refreshKey watcher to see the change', async () => invalidated.includes('keyed'), 10_000);
      await locker!.query(`insert into ${SCHEMA}.keyed values (101, 'North', 1000); commit`);
      expect((await inFlight).meta.cache).toBe('MISS');
    } finally {
      cache.invalidate = invalidate;
      await locker?.query('rollback').catch(() => {});
      await locker?.end();
    }
    const after = await ask();
    expect(after.meta.cache).toBe('MISS');
    expect(after.rows.find((r) => r.region === 'North')!.revenue).toBe(2550 + 1000);
  });

  it('a top-5 on DuckDB over 3,000 groups reads at most maxCoreRows + 1 of them, then pushes down', async () => {
    const response = await gw.query('{ many(orderBy: [{ revenue: DESC }, { customer: ASC }], limit: 5) { rows { customer revenue } meta { cache sources { sql rows } } } }');
    expect(response.errors).toBeUndefined();
    const { rows, meta } = response.data.many as { rows: { customer: string; revenue: number }[]; meta: Meta };
    // The pushed query may ask one row more than the page (to tell whether more follow).
    expect(meta.sources).toHaveLength(2);
    expect(meta.sources[0]!.rows).toBe(1001);
    expect(meta.sources[1]!.rows).toBeLessThanOrEqual(6);
    // The bounded read stops reading (DuckDB streams); no LIMIT in its SQL to change the plan.
    expect(meta.sources[0]!.sql).not.toMatch(/\blimit\b/i);
    expect(meta.sources[1]!.sql).toMatch(/\border by\b[\s\S]*\blimit\b/i);
    expect(rows.map((r) => r.revenue)).toEqual([999, 999, 999, 998, 998]);
  });
});

describe('cache durations that cannot mean what they say are config errors', () => {
  const config = (cache: string, datasetCache = '') => `
cache: { ${cache} }
sources:
  warehouse: { kind: postgres, url: "postgres://nobody@127.0.0.1:1/none" }
datasets:
  facts:
    source: warehouse
    table: public.facts
    measures: { orders: { count: "*" } }${datasetCache ? `\n    cache: { ${datasetCache} }` : ''}
`;
  const errorOf = (yaml: string) => {
    try {
      parseConfig(yaml, { env: {} });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigErrors);
      return (error as ConfigErrors).message;
    }
    throw new Error('expected a config error');
  };

  it.each([
    ['cache.ttl: 0s', config('ttl: 0s'), /cache\.ttl: expected a duration above 0 .*0 would never expire; to stop caching, set cache\.enabled: false/],
    ['a dataset ttl: 0ms', config('', 'ttl: 0ms'), /datasets\.facts\.cache\.ttl: expected a duration above 0/],
    ['refreshEvery: 0s', config('', 'refreshKey: "select 1", refreshEvery: 0s'), /datasets\.facts\.cache\.refreshEvery: expected 100ms or more .*to stop polling, remove refreshKey/],
    ['refreshEvery: 10ms', config('', 'refreshKey: "select 1", refreshEvery: 10ms'), /datasets\.facts\.cache\.refreshEvery: expected 100ms or more/],
  ])('%s is refused, naming the path and the fix', (_what, yaml, message) => {
    expect(errorOf(yaml)).toMatch(message);
  });

  it('ttl: 1ms and refreshEvery: 100ms are accepted', () => {
    const parsed = parseConfig(config('ttl: 1ms', 'refreshKey: "select 1", refreshEvery: 100ms'), { env: {} });
    expect(parsed.datasets.facts!.cache).toMatchObject({ ttlMs: 1, refreshEveryMs: 100 });
  });
});
