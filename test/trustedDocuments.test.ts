/**
 * server.trustedDocuments over real HTTP and graphql-ws, against the test Postgres: a listed
 * operation runs when named by its sha256 (Apollo-style persistedQuery) or sent as its full
 * text; anything else is refused with PERSISTED_QUERY_NOT_FOUND (or BAD_REQUEST when the
 * request names nothing) before any source query; a bad file stops the start with a config
 * error naming server.trustedDocuments and what the file should hold.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import { loadTrustedDocuments, sha256Hex } from '../server/trustedDocuments.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { wsOperation } from './support/wsOperation.ts';

const admin = await connectTestPostgres();
const SCHEMA = 'tributary_trusted_documents';
const ROWS = 'query Rows { sales(orderBy: [{ region: ASC }]) { rows { region revenue } } }';
const TOTALS = 'query Totals { sales { totals { revenue } } }';
/** Never listed; it would query the source (a filter no listed operation cached). */
const UNLISTED = '{ sales(where: { region: { eq: "North" } }) { totals { revenue } } }';
const ROWS_ANSWER = { sales: { rows: [{ region: 'North', revenue: 10 }, { region: 'South', revenue: 5 }] } };
const TOTALS_ANSWER = { sales: { totals: { revenue: 15 } } };
const FORMAT = 'expected a JSON object of sha256 hex hash → document text ({ "<64 hex digits>": "query { ... }" }) or a JSON array of document texts';
const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const notListed = (hash: string) => `persisted query ${hash} is not a trusted document: this gateway runs only the operations listed in server.trustedDocuments`;
const textNotListed = (text: string) =>
  `this operation is not a trusted document (its sha256 is ${sha256Hex(text)}): this gateway runs only the operations listed in server.trustedDocuments`;

const CONFIG = (file: string) => `
server: { trustedDocuments: "${file}" }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
`;

describe.skipIf(!admin)('trusted documents: only listed operations run, over HTTP and graphql-ws', () => {
  let dir: string;
  let gw: TestGateway;
  const sourceQueries = () => readMetric(gw, 'tributary_source_queries_total');
  const post = async (body: Record<string, unknown>): Promise<{ status: number; json: GraphQLResponse }> => {
    const response = await fetch(gw.server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as GraphQLResponse };
  };
  /** The refusal, and proof that it came before any source query. */
  const expectRefused = async (send: () => Promise<readonly { message: string; extensions?: Record<string, unknown> }[] | undefined>, code: string, message: string) => {
    const before = await sourceQueries();
    const errors = await send();
    expect(errors).toHaveLength(1);
    expect(errors![0]!.message).toBe(message);
    expect(errors![0]!.extensions?.code).toBe(code);
    expect(await sourceQueries(), 'no source query for a refused operation').toBe(before);
  };

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`create table ${SCHEMA}.sales (region text, amount numeric); insert into ${SCHEMA}.sales values ('North', 10), ('South', 5)`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-trusted-'));
    const file = path.join(dir, 'trusted.json');
    await writeFile(file, JSON.stringify({ [sha256Hex(ROWS)]: ROWS, [sha256Hex(TOTALS)]: TOTALS }));
    gw = await startTestGateway(CONFIG(file));
  });
  afterAll(async () => {
    await gw?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('HTTP: a listed operation by its hash alone (POST and GET)', async () => {
    expect((await post({ extensions: persisted(sha256Hex(ROWS)) })).json).toEqual({ data: ROWS_ANSWER });
    const url = `${gw.server.url}?extensions=${encodeURIComponent(JSON.stringify(persisted(sha256Hex(TOTALS))))}`;
    const response = await fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    expect(await response.json()).toEqual({ data: TOTALS_ANSWER });
  });

  it('HTTP: a listed operation by its full text, alone or with its own hash', async () => {
    expect((await post({ query: TOTALS })).json).toEqual({ data: TOTALS_ANSWER });
    expect((await post({ query: ROWS, extensions: persisted(sha256Hex(ROWS)) })).json).toEqual({ data: ROWS_ANSWER });
  });

  it('HTTP: an unlisted text or hash is refused with PERSISTED_QUERY_NOT_FOUND (HTTP 400) before any source query', async () => {
    await expectRefused(async () => {
      const { status, json } = await post({ query: UNLISTED });
      expect(status).toBe(400);
      expect(json.data).toBeUndefined();
      return json.errors;
    }, 'PERSISTED_QUERY_NOT_FOUND', textNotListed(UNLISTED));
    const unknown = sha256Hex(UNLISTED);
    await expectRefused(async () => (await post({ extensions: persisted(unknown.toUpperCase()) })).json.errors, 'PERSISTED_QUERY_NOT_FOUND', notListed(unknown));
  });

  it('HTTP: a request naming nothing, or a text that is not its hash, is BAD_REQUEST', async () => {
    await expectRefused(async () => (await post({ variables: {} })).json.errors, 'BAD_REQUEST', 'expected a query, or extensions.persistedQuery { version: 1, sha256Hash } naming a trusted document; got neither');
    await expectRefused(
      async () => (await post({ query: UNLISTED, extensions: persisted(sha256Hex(ROWS)) })).json.errors,
      'BAD_REQUEST',
      `the query sent is not the document of extensions.persistedQuery.sha256Hash ${sha256Hex(ROWS)}: its sha256 is ${sha256Hex(UNLISTED)}; send the hash alone, or the listed text`,
    );
  });

  it('graphql-ws: a listed operation by hash (empty query) or by text runs; an unlisted one is refused before any source query', async () => {
    const byHash = await wsOperation(gw.server.url, { query: '', extensions: persisted(sha256Hex(ROWS)) });
    expect(byHash).toEqual({ results: [{ data: ROWS_ANSWER }] });
    const byText = await wsOperation(gw.server.url, { query: TOTALS });
    expect(byText).toEqual({ results: [{ data: TOTALS_ANSWER }] });

    await expectRefused(async () => {
      const outcome = await wsOperation(gw.server.url, { query: UNLISTED });
      expect(outcome.results).toEqual([]);
      return outcome.refused;
    }, 'PERSISTED_QUERY_NOT_FOUND', textNotListed(UNLISTED));
    const unknown = sha256Hex(UNLISTED);
    await expectRefused(async () => (await wsOperation(gw.server.url, { query: '', extensions: persisted(unknown) })).refused, 'PERSISTED_QUERY_NOT_FOUND', notListed(unknown));
  });

  it('a JSON array of documents is hashed by the gateway', async () => {
    const file = path.join(dir, 'list.json');
    await writeFile(file, JSON.stringify([ROWS, TOTALS]));
    expect(Object.fromEntries(loadTrustedDocuments(file))).toEqual({ [sha256Hex(ROWS)]: ROWS, [sha256Hex(TOTALS)]: TOTALS });
  });

  const BAD_FILES: readonly { name: string; content: string | null; lines: (file: string) => (string | RegExp)[] }[] = [
    { name: 'no such file', content: null, lines: (f) => [`server.trustedDocuments: cannot read ${f} as JSON (ENOENT: no such file or directory, open '${f}'); ${FORMAT}`] },
    { name: 'not JSON', content: 'query { x }', lines: (f) => [new RegExp(`^server\\.trustedDocuments: cannot read ${f.replace(/[.\\/]/g, '\\$&')} as JSON \\(Unexpected token .*\\); expected a JSON object`)] },
    { name: 'an empty object', content: '{}', lines: (f) => [`server.trustedDocuments: ${f} lists no documents: ${FORMAT}, got an empty object; list at least one operation, or remove server.trustedDocuments to accept any`] },
    { name: 'a number', content: '42', lines: (f) => [`server.trustedDocuments: ${f} lists no documents: ${FORMAT}, got number; list at least one operation, or remove server.trustedDocuments to accept any`] },
    {
      name: 'a key that is not a sha256, a key of another document, a value that is not text',
      content: JSON.stringify({ abc: TOTALS, [sha256Hex(ROWS)]: TOTALS, [sha256Hex('x')]: 5 }),
      lines: (f) => [
        `server.trustedDocuments (${f}) "abc": expected the sha256 of the document as the key (64 hex digits), got a key of 3 characters`,
        `server.trustedDocuments (${f}) "${sha256Hex(ROWS)}": the document's sha256 is ${sha256Hex(TOTALS)}, not its key; the key must be the sha256 of the exact text`,
        `server.trustedDocuments (${f}) "${sha256Hex('x')}": expected a GraphQL document text, got 5`,
      ],
    },
    {
      name: 'an array with a document that does not parse and an empty one',
      content: JSON.stringify([TOTALS, 'query { sales {', '']),
      lines: (f) => [
        `server.trustedDocuments (${f}) [1]: the document does not parse: Syntax Error: Expected Name, found <EOF>.`,
        `server.trustedDocuments (${f}) [2]: expected a GraphQL document text, got an empty string`,
      ],
    },
  ];

  it.each(BAD_FILES)('a bad file ($name) is a config error naming server.trustedDocuments, at start', async ({ name, content, lines }) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.json`);
    if (content !== null) await writeFile(file, content);
    const gateway = await createGateway(parseConfig(CONFIG(file), { env: {} }), { check: false });
    try {
      const started = startServer(gateway, { port: 0, host: '127.0.0.1' });
      const error = await started.then(async (s) => {
        await s.close();
        return null;
      }, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigErrors);
      const got = (error as ConfigErrors).errors.map((e) => e.message);
      const want = lines(file);
      expect(got).toHaveLength(want.length);
      want.forEach((w, i) => (typeof w === 'string' ? expect(got[i]).toBe(w) : expect(got[i]).toMatch(w)));
    } finally {
      await gateway.close();
    }
  });
});
