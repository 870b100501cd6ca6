/**
 * Error hygiene over real HTTP, SSE and graphql-ws, against the test Postgres: a source that
 * fails (closed port, missing database, missing role, a table dropped after start, a
 * statement timeout) reaches the client as a stable message and code plus a requestId,
 * while the driver's text (hosts, ports, database, role and relation names) is in the log
 * line carrying that same requestId. Client mistakes are logged at info without a stack;
 * unexpected errors are masked and logged at error. /readyz says only ok or unavailable.
 */
import type { Plugin } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { captureLog, type CapturedLog, type LogLine } from './support/captureLog.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { subscribeSse } from './support/streamClients.ts';
import type { GraphQLResponse } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';
import { wsOperation } from './support/wsOperation.ts';

const admin = await connectTestPostgres();
const SCHEMA = 'tributary_error_hygiene';
const NO_DB = 'tributary_no_such_db';
const NO_ROLE = 'tributary_no_such_role';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const with_ = (change: (url: URL) => void) => {
  const url = new URL(TEST_PG_URL);
  change(url);
  return url.toString();
};
const PG_HOST = new URL(TEST_PG_URL).hostname;
const ONE_DATASET = (name: string, source: string, table: string) => `
  ${name}:
    source: ${source}
    table: ${SCHEMA}.${table}
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }`;

const CONFIG = `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
  down: { kind: postgres, url: "postgres://postgres@127.0.0.1:1/test" }
  nowhere: { kind: postgres, url: "${with_((u) => void (u.pathname = `/${NO_DB}`))}" }
  stranger: { kind: postgres, url: "${with_((u) => void (u.username = NO_ROLE))}" }
  slow: { kind: postgres, url: "${TEST_PG_URL}", statementTimeout: 200ms }
datasets:${ONE_DATASET('sales', 'warehouse', 'sales')}${ONE_DATASET('offline', 'down', 'sales')}${ONE_DATASET('nowhereSales', 'nowhere', 'sales')}${ONE_DATASET('strangerSales', 'stranger', 'sales')}${ONE_DATASET('vanishing', 'warehouse', 'doomed')}
  sleepy:
    source: slow
    sql: "select pg_sleep(2) as x, 1 as v"
    measures: { v: { sum: v } }
  endless:
    source: warehouse
    sql: "select timestamptz 'infinity' as ts, 1 as v"
    dimensions: { ts: { type: time } }
    measures: { v: { sum: v } }
streams:
  orders:
    kafka: { brokers: "", topic: hygiene.orders }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
`;

/** Where a secret would be, if an unexpected error's text reached the client. */
const SECRET = '/srv/tributary/secret-path';

describe.skipIf(!admin)('error hygiene: stable messages for clients, driver text in the log under the requestId', () => {
  let gateway: Gateway;
  let server: RunningServer;
  let log: CapturedLog;

  /**
   * Streams have no source query of their own yet (progressive answers will), so this plugin
   * stands in for a stream that fails mid-way: one result, then the error a real source
   * query raised (a relation that does not exist), or an unexpected one.
   */
  const failingStreams: Plugin = {
    onSubscribe({ args, setSubscribeFn }) {
      const name = args.operationName;
      if (name !== 'FailsAtSource' && name !== 'FailsUnexpectedly') return;
      setSubscribeFn(async () => {
        const error = name === 'FailsAtSource' ? await realSourceFailure() : new RangeError(`Invalid time value in ${SECRET}`);
        return (async function* () {
          yield { data: { orders: null } };
          throw error;
        })();
      });
    },
  };
  const realSourceFailure = () =>
    gateway.sources
      .get('warehouse')!
      .execute({ sql: `select region from ${SCHEMA}.never_created`, params: [], columns: [] })
      .then(() => new Error('expected the query to fail'), (error: unknown) => error);

  const post = async (body: unknown): Promise<{ status: number; text: string; json: GraphQLResponse }> => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, text, json: JSON.parse(text) as GraphQLResponse };
  };
  const oneError = (response: GraphQLResponse) => {
    expect(response.errors, JSON.stringify(response)).toHaveLength(1);
    return response.errors![0]!;
  };
  const requestIdOf = (error: { extensions?: Record<string, unknown> }) => {
    const id = error.extensions?.requestId;
    expect(id, JSON.stringify(error)).toMatch(UUID);
    return id as string;
  };
  const linesOf = async (requestId: string): Promise<LogLine[]> => {
    await waitFor(`log lines of request ${requestId}`, () => log.forRequest(requestId).length > 0);
    return log.forRequest(requestId);
  };
  const expectClientErrorLogged = (lines: readonly LogLine[], code: string) => {
    expect(lines.map((l) => [l.level, l.code])).toEqual([[30, code]]);
    expect(lines[0]!.err, 'no error object, so no stack').toBeUndefined();
    expect(JSON.stringify(lines[0])).not.toMatch(/stack|\n\s+at /);
  };

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    for (const table of ['sales', 'doomed']) {
      await admin!.query(`create table ${SCHEMA}.${table} (region text, amount numeric); insert into ${SCHEMA}.${table} values ('North', 10), ('South', 5)`);
    }
    // Unchecked: three of the sources cannot be reached, which is what this suite is about.
    gateway = await createGateway(parseConfig(CONFIG, { env: {} }), { check: false });
    server = await startServer(gateway, { port: 0, host: '127.0.0.1', plugins: [failingStreams] });
  });
  afterAll(async () => {
    await server?.close();
    await gateway?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });
  beforeEach(() => {
    log = captureLog();
  });
  afterEach(() => log.stop());

  const SOURCE_CASES = [
    {
      name: 'a source on a closed port',
      query: '{ offline { totals { revenue } } }',
      source: 'down',
      code: 'SOURCE_UNAVAILABLE',
      message: 'source down is unavailable',
      hidden: ['127.0.0.1', 'port', 'ECONNREFUSED', 'connect'],
      driver: 'connect ECONNREFUSED 127.0.0.1:1',
    },
    {
      name: 'a database that does not exist',
      query: '{ nowhereSales { totals { revenue } } }',
      source: 'nowhere',
      code: 'SOURCE_UNAVAILABLE',
      message: 'source nowhere is unavailable',
      hidden: [NO_DB, 'database', 'exist', PG_HOST],
      driver: `database "${NO_DB}" does not exist`,
    },
    {
      name: 'a role that does not exist',
      query: '{ strangerSales { totals { revenue } } }',
      source: 'stranger',
      code: 'SOURCE_UNAVAILABLE',
      message: 'source stranger is unavailable',
      hidden: [NO_ROLE, 'role', 'authentication', 'password', PG_HOST],
      driver: `role "${NO_ROLE}" does not exist`,
    },
    {
      name: 'a statement timeout',
      query: '{ sleepy { totals { v } } }',
      source: 'slow',
      code: 'SOURCE_TIMEOUT',
      message: 'source slow: query ran past the statement timeout of 200 ms',
      hidden: ['canceling', 'pg_sleep'],
      driver: 'canceling statement due to statement timeout',
    },
  ] as const;

  it.each(SOURCE_CASES)('$name: $code with a stable message and a requestId; the driver text is logged under it', async (c) => {
    const { text, json } = await post({ query: c.query });
    const error = oneError(json);
    expect(error.message).toBe(c.message);
    const requestId = requestIdOf(error);
    // Exactly these extensions: no sqlState or other driver fields.
    expect(error.extensions).toEqual({ code: c.code, source: c.source, requestId });
    for (const secret of c.hidden) expect(text, `response contains ${JSON.stringify(secret)}`).not.toContain(secret);

    const lines = await linesOf(requestId);
    expect(lines.map((l) => [l.level, l.code, l.source])).toEqual([[40, c.code, c.source]]);
    expect(lines[0]!.err?.message).toBe(c.driver);
  });

  it('a table dropped after start: SOURCE_ERROR without the relation name; the log has it under the requestId', async () => {
    const before = await post({ query: '{ vanishing(cache: BYPASS) { totals { revenue } } }' });
    expect(before.json).toEqual({ data: { vanishing: { totals: { revenue: 15 } } } });
    await admin!.query(`drop table ${SCHEMA}.doomed`);

    const { text, json } = await post({ query: '{ vanishing(cache: BYPASS) { totals { revenue } } }' });
    const error = oneError(json);
    expect(error.message).toBe('source warehouse could not run the query');
    const requestId = requestIdOf(error);
    expect(error.extensions).toEqual({ code: 'SOURCE_ERROR', source: 'warehouse', requestId });
    for (const secret of ['doomed', SCHEMA, 'relation', 'select']) expect(text).not.toContain(secret);

    const lines = await linesOf(requestId);
    expect(lines.map((l) => [l.level, l.code])).toEqual([[40, 'SOURCE_ERROR']]);
    expect(lines[0]!.err?.message).toBe(`relation "${SCHEMA}.doomed" does not exist`);
    expect(lines[0]!.err?.code, 'the SQLSTATE stays in the log').toBe('42P01');
  });

  it('a syntax error and a validation error are logged at info, without a stack, under their requestId', async () => {
    const syntax = oneError((await post({ query: '{ sales { rows { region } }' })).json);
    expect(syntax.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expectClientErrorLogged(await linesOf(requestIdOf(syntax)), 'GRAPHQL_PARSE_FAILED');

    const invalid = oneError((await post({ query: '{ sales { rows { region nope } } }' })).json);
    expect(invalid.message).toBe('Cannot query field "nope" on type "SalesRow".');
    expectClientErrorLogged(await linesOf(requestIdOf(invalid)), 'GRAPHQL_VALIDATION_FAILED');

    const variable = oneError((await post({ query: 'query($l: Int) { sales(limit: $l) { rows { region } } }', variables: { l: 'x' } })).json);
    expect(variable.extensions?.code).toBe('BAD_USER_INPUT');
    expectClientErrorLogged(await linesOf(requestIdOf(variable)), 'BAD_USER_INPUT');
    expect(log.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('an unexpected error is masked for the client and logged at error, with its stack, under the requestId', async () => {
    const { text, json } = await post({ query: '{ endless { rows { ts v } } }' });
    const error = oneError(json);
    expect(error.message).toBe('Unexpected error.');
    const requestId = requestIdOf(error);
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
    expect(text).not.toMatch(/RangeError|Invalid time value|stack/);

    const lines = await linesOf(requestId);
    expect(lines.map((l) => l.level)).toEqual([50]);
    expect(lines[0]!.err?.type).toBe('RangeError');
    expect(lines[0]!.err?.stack).toMatch(/\n\s+at /);
  });

  it('/readyz says ok or unavailable per source; why is in the log', async () => {
    const response = await fetch(server.url.replace(/\/graphql$/, '/readyz'));
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(JSON.parse(text)).toEqual({
      ready: false,
      sources: { warehouse: 'ok', down: 'unavailable', nowhere: 'unavailable', stranger: 'unavailable', slow: 'ok' },
    });
    for (const secret of ['127.0.0.1', 'ECONNREFUSED', NO_DB, NO_ROLE]) expect(text).not.toContain(secret);
    const why = (source: string) => JSON.stringify(log.lines.filter((l) => l.source === source && l.level === 40));
    expect(why('down')).toMatch(/ECONNREFUSED 127\.0\.0\.1:1/);
    expect(why('nowhere')).toContain(NO_DB);
    expect(why('stranger')).toContain(NO_ROLE);
  });

  describe.each([
    {
      transport: 'graphql-ws',
      run: async (query: string, operationName?: string) => {
        const outcome = await wsOperation(server.url, { query, operationName });
        expect(outcome.closed, 'the socket stays open: no 4500 with the error text as its reason').toBeUndefined();
        return outcome.results;
      },
    },
    {
      transport: 'SSE',
      run: async (query: string, operationName?: string) => {
        const results: GraphQLResponse[] = [];
        const recording = subscribeSse(server.url, 'orders', { query, operationName } as never);
        await waitFor('an error result over SSE', () => recording.errors.length > 0);
        await recording.close();
        for (const errors of recording.errors) results.push({ errors: errors as GraphQLResponse['errors'] });
        return results;
      },
    },
  ])('streams over $transport', ({ run }) => {
    it('a stream whose source fails mid-way ends with the stable message and a requestId; the driver text is logged', async () => {
      const results = await run('subscription FailsAtSource { orders(window: { tumble: "1m" }) { start } }', 'FailsAtSource');
      const errored = results.filter((r) => r.errors);
      expect(errored).toHaveLength(1);
      const error = oneError(errored[0]!);
      expect(error.message).toBe('source warehouse could not run the query');
      const requestId = requestIdOf(error);
      expect(error.extensions).toEqual({ code: 'SOURCE_ERROR', source: 'warehouse', requestId });
      expect(JSON.stringify(results)).not.toContain('never_created');
      const lines = await linesOf(requestId);
      expect(lines.map((l) => [l.level, l.code])).toEqual([[40, 'SOURCE_ERROR']]);
      expect(lines[0]!.err?.message).toBe(`relation "${SCHEMA}.never_created" does not exist`);
    });

    it('a stream that fails unexpectedly is masked and logged at error', async () => {
      const results = await run('subscription FailsUnexpectedly { orders(window: { tumble: "1m" }) { start } }', 'FailsUnexpectedly');
      const error = oneError(results.find((r) => r.errors)!);
      expect(error.message).toBe('Unexpected error.');
      const requestId = requestIdOf(error);
      expect(JSON.stringify(results)).not.toContain(SECRET);
      const lines = await linesOf(requestId);
      expect(lines.map((l) => l.level)).toEqual([50]);
      expect(lines[0]!.err?.message).toBe(`Invalid time value in ${SECRET}`);
    });

    it('a subscription refused for bad input is logged at info without a stack', async () => {
      const results = await run('subscription { orders(window: { tumble: "soon" }) { start } }');
      const error = oneError(results.find((r) => r.errors)!);
      expect(error.message).toBe('window.tumble: expected a duration such as 500ms, 10s, 1m, 2h or 1d, got "soon"');
      expect(error.extensions?.code).toBe('BAD_USER_INPUT');
      expectClientErrorLogged(await linesOf(requestIdOf(error)), 'BAD_USER_INPUT');
    });
  });
});
