/**
 * Cache lifetime and control over real HTTP on real Postgres: ttl expiry, refreshKey
 * polling, Mutation.invalidate and its token, the BYPASS and REFRESH modes, single-flight
 * under 50 concurrent identical requests, the cache metrics, and the byte bound.
 * Tests wait on conditions with deadlines (waitFor), never on sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const SCHEMA = 'tributary_cache_invalidation';
const TOKEN = 'test-admin-token';

/** Datasets with the same dimensions and measures: [name, where rows come from, cache settings]. */
const DATASETS: readonly (readonly [string, string, string?])[] = [
  ['facts', `table: ${SCHEMA}.facts`],
  ['short', `table: ${SCHEMA}.facts`, '{ ttl: 300ms }'],
  ['keyed', `table: ${SCHEMA}.keyed`, `{ refreshKey: "select max(id) from ${SCHEMA}.keyed", refreshEvery: 100ms }`],
  ['changing', `table: ${SCHEMA}.changing`],
  // Each source query lasts ~0.5 s: the uncorrelated subquery is an InitPlan, run once per query.
  ['slow', `sql: "select t.*, (select pg_sleep(0.5)) as z from ${SCHEMA}.facts t"`],
];

const CONFIG = (url: string, { server = '', cache = '' } = {}) => `
server: { ${server} }
cache: { enabled: true${cache} }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
${DATASETS.map(
  ([name, from, settings]) => `  ${name}:
    source: warehouse
    ${from}
    dimensions: { region: { type: string }, product: { type: string }, ts: { type: time, granularity: day } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }${settings ? `\n    cache: ${settings}` : ''}`,
).join('\n')}
`;

const BY_REGION = 'rows { region revenue orders }';
const admin = await connectTestPostgres();

describe.skipIf(!admin)('cache: expiry, invalidation, modes, single flight, metrics, memory bound', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    for (const table of ['facts', 'keyed', 'changing']) {
      await admin!.query(`
        create table ${SCHEMA}.${table} as
        select g as id,
          timestamptz '2023-01-01 00:00:00+00' + ((g::int8 * 2654435761) % 63072000) * interval '1 second' as ts,
          (array['North','South','East','West'])[1 + (g / 8) % 4] as region,
          'P' || (1 + (g * 13) % 8) as product,
          ((g * 37) % 5000) / 100.0 + 1 as amount
        from generate_series(1, 4000) g`);
    }
    gw = await startTestGateway(CONFIG(TEST_PG_URL, { server: `adminToken: ${TOKEN}` }));
  });

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('expires an entry after the dataset ttl (300ms)', async () => {
    expect((await ask(gw, 'short', BY_REGION)).meta.cache).toBe('MISS');
    expect((await ask(gw, 'short', BY_REGION)).meta.cache).toBe('HIT');
    await waitFor('the ttl to expire the entry', async () => (await ask(gw, 'short', BY_REGION)).meta.cache === 'MISS', 5_000);
  });

  it('drops entries when the refreshKey value changes, and the next answer has the new row', async () => {
    const first = await ask(gw, 'keyed', BY_REGION);
    expect(first.meta.cache).toBe('MISS');
    expect((await ask(gw, 'keyed', BY_REGION)).meta.cache).toBe('HIT');
    const north = (rows: Row[]) => rows.find((r) => r.region === 'North')!;
    await admin!.query(`insert into ${SCHEMA}.keyed (id, ts, region, product, amount) values (4001, now(), 'North', 'P1', 1000)`);
    const fresh = (await waitFor('a MISS after the refreshKey changed', async () => {
      const answer = await ask(gw, 'keyed', BY_REGION);
      return answer.meta.cache === 'MISS' ? answer : null;
    }, 5_000))!; // waitFor returns only a truthy value
    expect(north(fresh.rows).orders).toBe(north(first.rows).orders + 1);
    expect(north(fresh.rows).revenue).toBeCloseTo(north(first.rows).revenue + 1000, 6);
  });

  describe('Mutation.invalidate', () => {
    const invalidate = (args = '', authorization?: string) => post(gw, `mutation { invalidate${args} }`, authorization);

    it('is FORBIDDEN when the config has no server.adminToken', async () => {
      const noAdmin = await startTestGateway(CONFIG(TEST_PG_URL));
      try {
        const response = await post(noAdmin, 'mutation { invalidate(dataset: "facts") }', `Bearer ${TOKEN}`);
        expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(response.errors?.[0]?.message).toMatch(/server\.adminToken/);
      } finally {
        await noAdmin.close();
      }
    });

    it.each([
      ['no header', undefined],
      ['a wrong token', 'Bearer not-the-token'],
      ['the token without Bearer', TOKEN],
    ])('is FORBIDDEN with %s', async (_what, authorization) => {
      const response = await invalidate('(dataset: "facts")', authorization);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(response.data).toBeNull();
    });

    it('with the token, drops a dataset’s entries, returns how many, and the next query is MISS', async () => {
      await ask(gw, 'facts', BY_REGION);
      expect((await ask(gw, 'facts', BY_REGION)).meta.cache).toBe('HIT');
      const response = await invalidate('(dataset: "facts")', `Bearer ${TOKEN}`);
      expect(response.errors).toBeUndefined();
      expect(response.data.invalidate).toBeGreaterThanOrEqual(1);
      expect((await ask(gw, 'facts', BY_REGION)).meta.cache).toBe('MISS');
    });

    it('rejects an unknown dataset with BAD_USER_INPUT', async () => {
      const response = await invalidate('(dataset: "nope")', `Bearer ${TOKEN}`);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.message).toMatch(/unknown dataset "nope"/);
    });

    it('without a dataset, drops every entry, expired ones too', async () => {
      await ask(gw, 'facts', BY_REGION);
      await ask(gw, 'changing', BY_REGION);
      // An expired entry stays in memory until something reads or purges it; any query on its
      // dataset would, so the condition here is the ttl (300ms) itself having passed.
      await ask(gw, 'short', 'rows { region product revenue }');
      const expiresAt = Date.now() + 350;
      await waitFor('the short entry’s ttl to pass', () => Date.now() > expiresAt, 5_000);
      const response = await invalidate('', `Bearer ${TOKEN}`);
      expect(response.data?.invalidate).toBeGreaterThanOrEqual(2);
      // Expired entries (the ttl test's) must go too: nothing may stay held or counted.
      expect(await readMetric(gw, 'tributary_cache_entries')).toBe(0);
      expect(await readMetric(gw, 'tributary_cache_bytes')).toBe(0);
      expect((await ask(gw, 'facts', BY_REGION)).meta.cache).toBe('MISS');
      expect((await ask(gw, 'changing', BY_REGION)).meta.cache).toBe('MISS');
    });
  });

  it('BYPASS goes to the source once and leaves the cache as it was', async () => {
    const query = 'rows { product revenue }';
    await ask(gw, 'facts', query);
    const hit = await ask(gw, 'facts', query);
    expect(hit.meta.cache).toBe('HIT');
    const entries = await readMetric(gw, 'tributary_cache_entries');
    const bypass = await ask(gw, 'facts', query, 'BYPASS');
    expect(bypass.meta.cache).toBe('BYPASS');
    expect(bypass.meta.sources).toHaveLength(1);
    expect(bypass.rows).toEqual(hit.rows);
    expect(await readMetric(gw, 'tributary_cache_entries')).toBe(entries);
    expect((await ask(gw, 'facts', query)).meta.cache).toBe('HIT');
  });

  it('REFRESH reads fresh data from the source and stores it for the next DEFAULT query', async () => {
    const query = 'rows { region product orders }';
    const before = await ask(gw, 'changing', query);
    expect(before.meta.cache).toBe('MISS');
    expect((await ask(gw, 'changing', query)).meta.cache).toBe('HIT');
    await admin!.query(`update ${SCHEMA}.changing set region = 'North' where region = 'South'`);
    expect((await ask(gw, 'changing', query)).rows).toEqual(before.rows); // stale until refreshed
    const refreshed = await ask(gw, 'changing', query, 'REFRESH');
    expect(refreshed.meta.cache).toBe('MISS');
    expect(refreshed.meta.sources).toHaveLength(1);
    expect(new Set(refreshed.rows.map((r) => r.region))).toEqual(new Set(['East', 'North', 'West']));
    expect(refreshed.rows.reduce((n, r) => n + r.orders, 0)).toBe(4000);
    const next = await ask(gw, 'changing', query);
    expect(next.meta.cache).toBe('HIT');
    expect(next.rows).toEqual(refreshed.rows);
  });

  it('answers 50 concurrent identical requests on a cold cache with one source query', async () => {
    const before = await readMetric(gw, 'tributary_source_queries_total', { dataset: 'slow' });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 50 }, () => ask(gw, 'slow', 'rows { region product revenue orders }')));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450); // the source query did sleep
    expect(await readMetric(gw, 'tributary_source_queries_total', { dataset: 'slow' })).toBe(before + 1);
    expect(answers[0]!.rows).toHaveLength(32);
    for (const answer of answers) expect(answer.rows).toEqual(answers[0]!.rows);
    for (const answer of answers) expect(['MISS', 'HIT']).toContain(answer.meta.cache);
  });

  it('exposes request outcomes and cache size on /metrics', async () => {
    await ask(gw, 'facts', 'rows { region product revenue }');
    await ask(gw, 'facts', 'rows { region product revenue }');
    expect((await ask(gw, 'facts', 'rows { region revenue }')).meta.cache).toBe('DERIVED');
    await ask(gw, 'facts', 'rows { region revenue }', 'BYPASS');
    for (const outcome of ['HIT', 'DERIVED', 'MISS', 'BYPASS']) {
      expect(await readMetric(gw, 'tributary_cache_requests_total', { outcome }), outcome).toBeGreaterThan(0);
    }
    expect(await readMetric(gw, 'tributary_cache_bytes')).toBeGreaterThan(0);
    expect(await readMetric(gw, 'tributary_cache_entries')).toBeGreaterThan(0);
  });

  it('stays within maxBytes (100kb) and evicts the least recently used entries', async () => {
    const small = await startTestGateway(CONFIG(TEST_PG_URL, { cache: ', maxBytes: 100kb' }));
    try {
      const byProduct = (p: number) => ask(small, 'facts', 'rows { ts revenue orders }', 'DEFAULT', `where: { product: { eq: "P${p}" } }`);
      expect((await byProduct(1)).meta.cache).toBe('MISS');
      const oneCore = await readMetric(small, 'tributary_cache_bytes');
      // ~45kb per core as counted (10kb of Arrow, its plan, the answer derived from it and
      // the column encodings behind that): at most two fit.
      expect(oneCore).toBeGreaterThan(34 * 1024);
      expect(oneCore).toBeLessThanOrEqual(100 * 1024);
      for (let p = 2; p <= 8; p++) {
        expect((await byProduct(p)).meta.cache).toBe('MISS');
        expect(await readMetric(small, 'tributary_cache_bytes')).toBeLessThanOrEqual(100 * 1024);
      }
      expect((await byProduct(8)).meta.cache).toBe('HIT');
      expect((await byProduct(1)).meta.cache).toBe('MISS'); // evicted long ago
    } finally {
      await small.close();
    }
  });
});

type Row = Record<string, any>;

/** `dataset(args, cache) { selection meta }` over HTTP; fails the test on GraphQL errors. */
async function ask(gw: TestGateway, dataset: string, selection: string, cache = 'DEFAULT', args = '') {
  const response = await gw.query(`{ ${dataset}(${args ? `${args}, ` : ''}cache: ${cache}) { ${selection} meta { cache sources { sql rows } } } }`);
  expect(response.errors, `${dataset} ${selection}`).toBeUndefined();
  return response.data[dataset] as { rows: Row[]; meta: { cache: string; sources: { sql: string; rows: number }[] } };
}

/** POSTs a GraphQL document with an optional Authorization header (TestGateway.query sends none). */
async function post(gw: TestGateway, query: string, authorization?: string): Promise<GraphQLResponse> {
  const response = await fetch(gw.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as GraphQLResponse;
}
