/**
 * Issue 9, item 4: documents and variables nested thousands of levels deep. graphql-js
 * parses, validates and coerces by recursion, so before server.limits.maxNesting these gave
 * HTTP 500 "Unexpected error." (a stack overflow in the parser) or "Maximum call stack size
 * exceeded" as the message. Every case must now be LIMIT_EXCEEDED naming maxNesting, before
 * any source query, over HTTP, SSE and graphql-ws — also with maxTokens and maxBodyBytes
 * raised, so the token limit cannot be what stops them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetric } from './support/readMetric.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { wsOperation } from './support/wsOperation.ts';

const CONFIG = (server: string) => `
server: ${server}
sources:
  files: { kind: duckdb }
datasets:
  sales:
    source: files
    sql: "select 'a' as region, 2.5 as amount"
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
`;
const DEEP = 3000;
const WHERE_VARIABLE = 'query($w: SalesWhere) { sales(where: $w) { rows { region revenue } } }';

interface Operation {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}
const notInNot = (n: number): Operation => ({ query: `{ sales(where: ${'{ NOT: '.repeat(n)}{ region: { eq: "a" } }${' }'.repeat(n)}) { rows { region revenue } } }` });
const CASES: readonly { readonly name: string; readonly operation: Operation; readonly found: RegExp }[] = [
  { name: 'a where literal 3,000 levels deep (NOT in NOT)', operation: notInNot(DEEP), found: /^the document nests brackets 300\d levels deep$/ },
  { name: 'a list literal 3,000 deep', operation: { query: `{ sales(where: { region: { in: ${'['.repeat(DEEP)}"a"${']'.repeat(DEEP)} } }) { rows { region } } }` }, found: /^the document nests brackets 300\d levels deep$/ },
  { name: '3,000 nested inline fragments', operation: { query: `{ sales { rows { ${'... on SalesRow { '.repeat(DEEP)}region${' }'.repeat(DEEP)} } } }` }, found: /^the document nests brackets 300\d levels deep$/ },
  {
    name: 'a where variable 3,000 levels deep',
    operation: { query: WHERE_VARIABLE, variables: { w: JSON.parse(`${'{"NOT":'.repeat(DEEP)}{"region":{"eq":"a"}}${'}'.repeat(DEEP)}`) } },
    found: /^variable \$w nests 3002 levels deep$/,
  },
  {
    name: 'a list variable 3,000 deep',
    operation: { query: WHERE_VARIABLE, variables: { w: { region: { in: JSON.parse(`${'['.repeat(DEEP)}"a"${']'.repeat(DEEP)}`) } } } },
    found: /^variable \$w nests 3002 levels deep$/,
  },
];

async function postJson(url: string, operation: Operation): Promise<{ status: number; json: GraphQLResponse }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify(operation),
  });
  return { status: response.status, json: (await response.json()) as GraphQLResponse };
}

/** POST with accept: text/event-stream; the results are the `event: next` payloads (or a plain JSON body). */
async function postSse(url: string, operation: Operation): Promise<{ status: number; json: GraphQLResponse }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' }, body: JSON.stringify(operation) });
  const text = await response.text();
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) return { status: response.status, json: JSON.parse(text) as GraphQLResponse };
  const results = text
    .split(/\r?\n\r?\n/)
    .filter((block) => /^event: next$/m.test(block))
    .map((block) => JSON.parse(block.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n')) as GraphQLResponse);
  expect(results, text.slice(0, 300)).toHaveLength(1);
  return { status: response.status, json: results[0]! };
}

async function overWs(url: string, operation: Operation): Promise<{ status: number; json: GraphQLResponse }> {
  const outcome = await wsOperation(url, operation);
  expect(outcome.closed, 'the socket must not close under the operation').toBeUndefined();
  return { status: 0, json: outcome.refused ? { errors: [...outcome.refused] } : outcome.results[0]! };
}

const TRANSPORTS = [
  { transport: 'HTTP', send: postJson },
  { transport: 'SSE', send: postSse },
  { transport: 'graphql-ws', send: overWs },
] as const;

describe('deep nesting (server.limits.maxNesting)', () => {
  let defaults: TestGateway;
  let raised: TestGateway;
  let atCap: TestGateway;

  beforeAll(async () => {
    defaults = await startTestGateway(CONFIG('{}'));
    // The token and body limits out of the way: only maxNesting stands between these documents and the parser.
    raised = await startTestGateway(CONFIG('{ limits: { maxTokens: 1000000, maxBodyBytes: 8mb } }'));
    atCap = await startTestGateway(CONFIG('{ maxFilterDepth: 1000, limits: { maxTokens: 1000000, maxNesting: 500 } }'));
  });
  afterAll(async () => {
    await defaults?.close();
    await raised?.close();
    await atCap?.close();
  });

  for (const { transport, send } of TRANSPORTS) {
    for (const [label, gw] of [['default limits', () => defaults], ['maxTokens 1,000,000 and 8 MB bodies', () => raised]] as const) {
      it.each(CASES)(`${transport}, ${label}: refuses $name with LIMIT_EXCEEDED (maxNesting), before any source query`, async ({ operation, found }) => {
        const before = await readMetric(gw(), 'tributary_source_queries_total');
        const { status, json } = await send(gw().server.url, operation);
        expect(json.errors, JSON.stringify(json).slice(0, 400)).toHaveLength(1);
        const error = json.errors![0]!;
        expect(error.extensions).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxNesting', max: 100 });
        const [, what] = /^maxNesting: (.*), the limit is 100$/.exec(error.message) ?? [];
        expect(what, error.message).toMatch(found);
        expect(json.data ?? null).toBeNull();
        if (transport === 'HTTP') expect(status).toBe(400);
        expect(await readMetric(gw(), 'tributary_source_queries_total')).toBe(before);
      });
    }
  }

  it.each(TRANSPORTS)('$transport: answers a filter nested just under the highest maxNesting (500) without overflowing', async ({ send }) => {
    const { json } = await send(atCap.server.url, notInNot(495));
    expect(json.errors, JSON.stringify(json.errors)?.slice(0, 400)).toBeUndefined();
    // 495 NOTs: an odd count negates `region = 'a'`, so no row holds.
    expect(json.data).toEqual({ sales: { rows: [] } });
    const even = await send(atCap.server.url, notInNot(494));
    expect(even.json.data).toEqual({ sales: { rows: [{ region: 'a', revenue: 2.5 }] } });
  });

  it('refuses a maxNesting above 500 in the config, naming the path and the fix', async () => {
    await expect(startTestGateway(CONFIG('{ limits: { maxNesting: 501 } }'))).rejects.toThrow(/server\.limits\.maxNesting: expected at most 500/);
  });
});
