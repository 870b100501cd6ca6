/**
 * server.limits over real HTTP and graphql-ws against a real Postgres table: every abusive
 * document is refused with LIMIT_EXCEEDED (413 for an oversized body) naming the limit,
 * before any source query (tributary_source_queries_total does not move); the refusal times
 * are printed, not asserted (a timed assertion failed at 128 ms on a loaded CI machine);
 * documents exactly at a limit pass; a config with each limit raised by one accepts what the
 * defaults refuse; the N+1-th subscription on one socket is refused while the others go on.
 */
import { request } from 'node:http';
import { Lexer, Source, TokenKind } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const SCHEMA = 'tributary_limits';
const admin = await connectTestPostgres();

const CONFIG = (server: string) => `
server: ${server}
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    timezone: UTC
    dimensions: { region: { type: string }, product: { type: string }, ts: { type: time, granularity: month } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    # A relation to its own dataset, so relations can nest as deep as a document asks.
    relations: { sameRegion: { dataset: sales, on: { region: region } } }
streams:
  orders:
    kafka: { brokers: "", topic: limits-demo }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
`;
const MB = 1024 ** 2;
const DEFAULTS = '{}';
/** Every limit one above its default (maxLimit too, so a cost of 200,001 rows can run). */
const RAISED = `{ maxLimit: 100000, limits: { maxDepth: 13, maxAliases: 31, maxTokens: 5001, maxDirectives: 51, maxCost: 200001, maxBodyBytes: ${MB + 1} } }`;
/** Only bodies are allowed to be large: the token limit must then refuse huge documents. */
const WIDE_BODIES = '{ limits: { maxBodyBytes: 8mb } }';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const aliases = (n: number, field = '__typename') => `{ ${range(n).map((i) => `a${i}: ${field}`).join(' ')} }`;
const directives = (n: number) => `{ ${'__typename @include(if: true) '.repeat(n)}}`;
/** Rows whose relation nests `n - 3` levels: `sales` is at depth 1, `rows` 2, the leaf n. */
const depth = (n: number) => `{ sales(limit: 2) { rows { ${'sameRegion { '.repeat(n - 3)}region${' }'.repeat(n - 3)} } } }`;
/** A chain of fragments, each nesting the next one level deeper through the relation. */
const fragmentChain = (n: number) =>
  `{ sales { rows { ...F0 } } }\n${range(n).map((i) => `fragment F${i} on SalesRow { region sameRegion { ...F${i + 1} } }`).join('\n')}\nfragment F${n} on SalesRow { region }`;
/**
 * Exactly `n` tokens: a dataset query whose IN list holds one value per token still needed
 * (23 tokens without the values). Not repeated fields: graphql-js stops comparing thousands
 * of overlapping fields with "Validation aborted.".
 */
const tokens = (n: number) => `{ sales(where: { region: { in: [${range(n - 23).map((i) => `"v${i}"`).join(' ')}] } }) { rows { region } } }`;
/** Four dataset fields: three at limit 50,000 and one at `$last`, so the cost is 150,000 + $last. */
const COST = `query($n: Int, $last: Int) { a: sales(limit: $n) { rows { region } } b: sales(limit: $n) { rows { region } } c: sales(limit: $n) { rows { region } } d: sales(limit: $last) { rows { region } } }`;
const cost = (n: number) => ({ query: COST, variables: { n: 50_000, last: n - 150_000 } });
/** A body of exactly `n` bytes: `{ __typename }` after a comment (comments are not tokens). */
const bodyOf = (n: number) => {
  const shell = JSON.stringify({ query: '#\n{ __typename }' });
  return JSON.stringify({ query: `#${'x'.repeat(n - shell.length)}\n{ __typename }` });
};

interface Abuse {
  readonly name: string;
  readonly body: string;
  /** The limit named at the start of the message. */
  readonly limit: string;
  readonly message: string | RegExp;
  readonly status?: number;
}

const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });
const ABUSES: readonly Abuse[] = [
  { name: '200 aliases of a dataset field at limit 50000', body: body(aliases(200, 'sales(limit: 50000) { rows { region revenue } }')), limit: 'maxAliases', message: 'maxAliases: 200 aliases, the limit is 30' },
  { name: '10,000 __typename aliases', body: body(aliases(10_000)), limit: 'maxTokens', message: 'maxTokens: more than 5000 tokens, the limit is 5000' },
  { name: '100,000 __typename aliases (over 1 MB)', body: body(aliases(100_000)), limit: 'maxBodyBytes', status: 413, message: /^maxBodyBytes: \d+ bytes, the limit is 1048576$/ },
  { name: 'a 60-deep fragment chain', body: body(fragmentChain(60)), limit: 'maxDepth', message: /^maxDepth: depth \d+, the limit is 12$/ },
  { name: 'a 2 MB document', body: body(`# ${'x'.repeat(2 * MB)}\n{ __typename }`), limit: 'maxBodyBytes', status: 413, message: /^maxBodyBytes: 209\d+ bytes, the limit is 1048576$/ },
  { name: 'an IN list of 5,000 values (over maxTokens)', body: body(`{ sales(where: { region: { in: ${JSON.stringify(range(5000).map(String))} } }) { rows { region } } }`), limit: 'maxTokens', message: 'maxTokens: more than 5000 tokens, the limit is 5000' },
  { name: '51 directives', body: body(directives(51)), limit: 'maxDirectives', message: 'maxDirectives: 51 directives, the limit is 50' },
  { name: 'cost over maxCost through a variable limit', body: body(`query($n: Int) { ${aliases(5, 'sales(limit: $n) { rows { region } }').slice(2, -2)} }`, { n: 50_000 }), limit: 'maxCost', message: /^maxCost: cost 250000, the limit is 200000/ },
  {
    name: 'cost over maxCost through fragments and a relation',
    body: body('query($n: Int) { a: sales(limit: $n) { ...R } b: sales(limit: $n) { ...R } c: sales(limit: $n) { ...R } } fragment R on SalesResult { rows { region sameRegion { revenue } } totals { revenue } }', { n: 40_000 }),
    limit: 'maxCost',
    // (40,000 rows + 40,000 relation lookups + 1 totals) per field
    message: /^maxCost: cost 240003, the limit is 200000/,
  },
];

/** Documents exactly at each default limit; one more than the limit is refused. */
const AT_LIMIT: readonly { limit: string; at: number; make: (n: number) => { query: string; variables?: Record<string, unknown> } | string }[] = [
  { limit: 'maxAliases', at: 30, make: (n) => ({ query: aliases(n) }) },
  { limit: 'maxDirectives', at: 50, make: (n) => ({ query: directives(n) }) },
  { limit: 'maxDepth', at: 12, make: (n) => ({ query: depth(n) }) },
  { limit: 'maxTokens', at: 5000, make: (n) => ({ query: tokens(n) }) },
  { limit: 'maxCost', at: 200_000, make: cost },
  { limit: 'maxBodyBytes', at: MB, make: bodyOf },
];

interface Timed {
  readonly status: number;
  readonly ms: number;
  readonly json: GraphQLResponse;
}

async function post(url: string, payload: string): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, body: payload });
  const json = (await response.json()) as GraphQLResponse;
  return { status: response.status, ms: performance.now() - started, json };
}

/** `promise`, or a rejection naming `what` once `ms` pass; the timer never outlives the race. */
async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)));
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function countTokens(document: string): number {
  const lexer = new Lexer(new Source(document));
  let n = 0;
  while (lexer.advance().kind !== TokenKind.EOF) n++;
  return n;
}

const DASHBOARD = `{
  byRegion: sales(orderBy: [{ revenue: DESC }], limit: 1000) { rows { region revenue orders perOrder: calc(expr: "revenue / orders") } totals { revenue orders } }
  byMonth: sales(orderBy: [{ ts: ASC }], limit: 1000) { rows { ts revenue } }
  top: sales(orderBy: [{ revenue: DESC }], limit: 3) { rows { region product revenue sameRegion { orders } } totals { share: calc(expr: "revenue / 100") } }
}`;

describe.skipIf(!admin)('server.limits (real Postgres, HTTP and graphql-ws)', () => {
  let gw: TestGateway;
  let raised: TestGateway;
  let wide: TestGateway;
  const sourceQueries = (g: TestGateway) => readMetric(g, 'tributary_source_queries_total');
  const measured: string[] = [];

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`create table ${SCHEMA}.sales as
      select (array['North','South','East','West'])[1 + i % 4] as region, 'p' || (i % 7) as product,
             (i * 2.5)::numeric(12,2) as amount, timestamptz '2024-01-01' + i * interval '1 day' as ts
      from generate_series(1, 400) i`);
    gw = await startTestGateway(CONFIG(DEFAULTS));
    raised = await startTestGateway(CONFIG(RAISED));
    wide = await startTestGateway(CONFIG(WIDE_BODIES));
    // First requests pay for JIT compilation; the latency contract is about steady state.
    for (const g of [gw, wide]) {
      await post(g.server.url, body('{ __typename }'));
      await post(g.server.url, body(aliases(31)));
    }
  });

  afterAll(async () => {
    console.log(`refusal times:\n  ${measured.join('\n  ')}`);
    await gw?.close();
    await raised?.close();
    await wide?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('counts source queries (the metric the refusals are checked against moves)', async () => {
    const before = await sourceQueries(gw);
    const response = await gw.query('{ sales(cache: BYPASS) { totals { orders } } }');
    expect(response).toEqual({ data: { sales: { totals: { orders: 400 } } } });
    expect(await sourceQueries(gw)).toBe(before + 1);
  });

  it.each(ABUSES)('refuses $name with $limit, before any source query', async (c) => {
    const before = await sourceQueries(gw);
    const { status, ms, json } = await post(gw.server.url, c.body);
    measured.push(`${c.name}: ${ms.toFixed(1)} ms (HTTP ${status}, ${(c.body.length / 1024).toFixed(0)} KiB)`);
    expect(json.errors, JSON.stringify(json).slice(0, 500)).toHaveLength(1);
    const error = json.errors![0]!;
    expect(error.extensions?.code).toBe('LIMIT_EXCEEDED');
    expect(error.extensions?.limit).toBe(c.limit);
    if (typeof c.message === 'string') expect(error.message).toBe(c.message);
    else expect(error.message).toMatch(c.message);
    expect(json.data ?? null).toBeNull();
    if (c.status) expect(status).toBe(c.status);
    expect(await sourceQueries(gw)).toBe(before);
  });

  it('refuses 100,000 __typename aliases by maxTokens, counting no further than the limit, when large bodies are allowed', async () => {
    const before = await sourceQueries(wide);
    const { ms, json } = await post(wide.server.url, body(aliases(100_000)));
    measured.push(`100,000 __typename aliases, 8 MB bodies allowed: ${ms.toFixed(1)} ms`);
    expect(json.errors).toHaveLength(1);
    expect(json).toMatchObject({ errors: [{ message: 'maxTokens: more than 5000 tokens, the limit is 5000', extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxTokens', max: 5000 } }] });
    expect(await sourceQueries(wide)).toBe(before);
  });

  it('refuses a chunked body once the streamed bytes pass maxBodyBytes, while the client is still sending', async () => {
    const url = new URL(gw.server.url);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json' } });
    req.on('error', () => {}); // the server closes the connection after its answer
    const answered = new Promise<{ status: number; text: string }>((resolve) =>
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve({ status: res.statusCode!, text }));
      }),
    );
    // 17 chunks of 64 KiB pass the limit; the request is never ended, so the answer cannot wait for the end.
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let i = 0; i < 17; i++) req.write(chunk);
    const got = await withDeadline(answered, 5_000, 'a 413 before the body ended');
    req.destroy();
    expect(got.status).toBe(413);
    expect(JSON.parse(got.text)).toEqual({
      errors: [{ message: 'maxBodyBytes: more than 1048576 bytes, the limit is 1048576', extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxBodyBytes', max: MB } }],
    });
  });

  it('still answers a dashboard query with data after the refusals', async () => {
    const response = await gw.query(DASHBOARD);
    expect(response.errors).toBeUndefined();
    expect(response.data.byRegion.rows).toHaveLength(4);
    expect(response.data.byRegion.totals.orders).toBe(400);
    expect(response.data.byMonth.rows.length).toBeGreaterThan(12);
    expect(response.data.top.rows).toHaveLength(3);
    expect(response.data.top.rows[0].sameRegion.orders).toBe(100);
  });

  const payload = (made: ReturnType<(typeof AT_LIMIT)[number]['make']>) => (typeof made === 'string' ? made : JSON.stringify(made));

  it('builds the at-limit documents it means to', () => {
    expect(countTokens(tokens(5000))).toBe(5000);
    expect(bodyOf(MB)).toHaveLength(MB);
  });

  it.each(AT_LIMIT)('passes a document exactly at $limit ($at) and refuses one over it', async ({ limit, at, make }) => {
    const ok = await post(gw.server.url, payload(make(at)));
    expect(ok.json.errors, JSON.stringify(ok.json.errors)).toBeUndefined();
    expect(ok.json.data).toBeTruthy();
    const over = await post(gw.server.url, payload(make(at + 1)));
    expect(over.json.errors?.map((e) => [e.extensions?.code, e.extensions?.limit])).toEqual([['LIMIT_EXCEEDED', limit]]);
  });

  it.each(AT_LIMIT)('accepts one over the default $limit when the config raises it', async ({ at, make }) => {
    const response = await post(raised.server.url, payload(make(at + 1)));
    expect(response.json.errors, JSON.stringify(response.json.errors)).toBeUndefined();
    expect(response.json.data).toBeTruthy();
  });

  describe('graphql-ws', () => {
    const SUBSCRIPTION = 'subscription { orders(window: { tumble: "1s" }, throttle: "100ms") { start revision rows { region orders } } }';
    let client: Client;

    interface Subscription {
      results: number;
      errors: { message: string; extensions?: Record<string, unknown> }[];
      ended: boolean;
      stop: () => void;
    }
    const subscribe = (query: string): Subscription => {
      const s: Subscription = { results: 0, errors: [], ended: false, stop: () => {} };
      s.stop = client.subscribe(
        { query },
        {
          next: (result) => {
            if (result.errors) s.errors.push(...(result.errors as Subscription['errors']));
            else s.results++;
          },
          error: (error) => {
            s.errors.push(...(Array.isArray(error) ? error : [{ message: String(error) }]));
            s.ended = true;
          },
          complete: () => (s.ended = true),
        },
      );
      return s;
    };

    beforeAll(() => {
      // One client is one socket: every subscription below shares it.
      client = createClient({ url: gw.server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
    });
    afterAll(async () => {
      await client?.dispose();
    });

    it('refuses the 101st subscription on one socket; the other 100 keep streaming, and a freed slot is reused', async () => {
      const subs = range(100).map(() => subscribe(SUBSCRIPTION));
      await waitFor('100 subscriptions receiving windows', () => subs.every((s) => s.results > 0 || s.ended), 30_000);
      expect(subs.filter((s) => s.ended || s.errors.length > 0)).toEqual([]);

      const extra = subscribe(SUBSCRIPTION);
      await waitFor('the 101st subscription to end', () => extra.ended, 10_000);
      expect(extra.results).toBe(0);
      expect(extra.errors).toHaveLength(1);
      expect(extra.errors).toMatchObject([
        { message: 'maxSubscriptionsPerConnection: 101 operations on this connection, the limit is 100', extensions: { code: 'LIMIT_EXCEEDED', limit: 'maxSubscriptionsPerConnection', max: 100 } },
      ]);

      // The socket is still usable: every one of the 100 receives more windows.
      const seen = subs.map((s) => s.results);
      await waitFor('each of the 100 to receive another window', () => subs.every((s, i) => s.results > seen[i]!), 30_000);
      expect(subs.filter((s) => s.ended || s.errors.length > 0)).toEqual([]);

      subs[0]!.stop();
      const replacement = subscribe(SUBSCRIPTION);
      await waitFor('the replacement subscription to receive a window', () => replacement.results > 0 || replacement.ended, 30_000);
      expect(replacement.errors).toEqual([]);
      [...subs, replacement].forEach((s) => s.stop());
    });

    it('refuses a document over maxTokens with LIMIT_EXCEEDED over graphql-ws too', async () => {
      const s = subscribe(`subscription { orders(window: { tumble: "1s" }) { ${'start '.repeat(5000)}} }`);
      await waitFor('the refusal', () => s.ended, 10_000);
      expect(s.errors.map((e) => [e.extensions?.code, e.message])).toEqual([['LIMIT_EXCEEDED', 'maxTokens: more than 5000 tokens, the limit is 5000']]);
    });
  });
});
