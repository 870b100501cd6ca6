/**
 * Compiled query execution (server/plugins/useCompiledQueries.ts, graphql-jit) answers
 * exactly as graphql-js does, over real HTTP against real Postgres: every query below is
 * sent to a gateway that compiles queries and to the same gateway with graphql-js's
 * `execute` restored, and the two JSON answers must be equal (request ids aside). Key
 * answers are also checked against literal expectations, so a mistake both executors
 * shared (an alias lost in the resolvers, say) still fails.
 */
import { execute as graphqlJsExecute, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import type { GraphQLResponse } from './support/testGateway.ts';

const SCHEMA = 'i10jit_exec';
const admin = await connectTestPostgres();

const CONFIG = (url: string) => `
server: { defaultLimit: 1000, maxLimit: 5000 }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  orders:
    source: warehouse
    table: ${SCHEMA}.orders
    timezone: UTC
    dimensions:
      region: { type: string }
      channel: { type: string }
      customerId: { type: number, column: customer_id }
      ts: { type: time, granularity: day }
    measures:
      revenue: { sum: amount }
      units: { sum: qty }
      orders: { count: "*" }
      avgAmount: { avg: amount }
    relations:
      customer: { dataset: customers, on: { customerId: customerId } }
  customers:
    source: warehouse
    table: ${SCHEMA}.customers
    dimensions:
      customerId: { type: number, column: customer_id }
      name: { type: string }
    measures:
      credit: { sum: credit }
  targets:
    source: warehouse
    table: ${SCHEMA}.targets
    dimensions:
      region: { type: string }
    measures:
      target: { sum: target }
  endless:
    source: warehouse
    sql: "select timestamptz 'infinity' as ts, 1 as v"
    dimensions: { ts: { type: time } }
    measures: { v: { sum: v } }
fusions:
  regionGoals:
    join: left
    keys: { region: string }
    members:
      orders: { region: region }
      targets: { region: region }
`;

interface Case {
  readonly name: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly operationName?: string;
}

const CASES: readonly Case[] = [
  {
    name: 'aliases, on the dataset field and on rows fields',
    query: `{ a: orders(orderBy: [{ region: ASC }]) { rows { r: region rev: revenue region } }
               b: orders(limit: 2, orderBy: [{ revenue: DESC }]) { rows { region revenue } } }`,
  },
  {
    name: 'named and inline fragments with __typename',
    query: `query Q { orders(orderBy: [{ region: ASC }]) { ...F totals { __typename revenue } } }
            fragment F on OrdersResult { __typename rows { ... on OrdersRow { region __typename } ...G } }
            fragment G on OrdersRow { units u2: units }`,
  },
  {
    name: '@skip and @include on fields, inline fragments and spreads (variables)',
    query: `query($yes: Boolean!, $no: Boolean!) { orders(orderBy: [{ region: ASC }]) { rows {
              region channel @include(if: $no) revenue @skip(if: $yes)
              ... on OrdersRow @include(if: $yes) { units } ...F @skip(if: $yes) ...H @skip(if: $no) } } }
            fragment F on OrdersRow { orders }
            fragment H on OrdersRow { avgAmount }`,
    variables: { yes: true, no: false },
  },
  {
    name: 'time buckets at several granularities under aliases',
    query: `{ orders(orderBy: [{ ts: ASC }]) { rows { m: ts(granularity: MONTH) d: ts(granularity: DAY) ts y: ts(granularity: YEAR) orders } } }`,
  },
  {
    name: 'calc on rows and totals',
    query: `{ orders(orderBy: [{ region: ASC }]) { rows { region perUnit: calc(expr: "revenue / units") twice: calc(expr: "revenue * 2") } totals { calc(expr: "revenue / orders") } } }`,
  },
  { name: 'an error in calc, with its path', query: `{ ok: targets { rows { region } } bad: orders { rows { region calc(expr: "revenue + nope") } } }` },
  {
    name: 'relations, with a missing related row',
    query: `{ orders(orderBy: [{ customerId: ASC }]) { rows { customerId revenue customer { name credit half: calc(expr: "credit / 2") __typename } } } }`,
  },
  { name: 'a fusion', query: `{ regionGoals(orderBy: [{ region: ASC }]) { rows { region revenue target gap: calc(expr: "revenue - target") } totals { revenue target } } }` },
  { name: 'a variable of the wrong type', query: `query($n: Int) { orders(limit: $n) { rows { region } } }`, variables: { n: 'x' } },
  { name: 'a missing required variable', query: `query($n: Int!) { orders(limit: $n) { rows { region } } }` },
  {
    name: 'variables: defaults, recursive where input, an omitted optional one',
    query: `query($n: Int = 2, $w: OrdersWhere, $o: Int) { orders(limit: $n, offset: $o, where: $w, orderBy: [{ region: ASC }]) { rows { region revenue } } }`,
    variables: { w: { OR: [{ region: { eq: 'North' } }, { NOT: { region: { in: ['South', 'North'] } } }] } },
  },
  { name: 'a masked internal error', query: `{ endless { rows { ts v } } targets { rows { region } } }` },
  {
    name: 'several operations, one named',
    query: `query A { orders { rows { region } } } query B { targets(orderBy: [{ target: DESC }]) { rows { region target } } }`,
    operationName: 'B',
  },
  { name: 'introspection', query: `{ __schema { queryType { name } } __type(name: "OrdersRow") { name fields { name type { name kind ofType { name } } } } }` },
  { name: 'bad input from the planner', query: `{ orders(limit: -1) { rows { region } } }` },
];

/** The same request's answer without what differs per request. */
function comparable(response: GraphQLResponse): GraphQLResponse {
  return JSON.parse(JSON.stringify(response), (key, value) => (key === 'requestId' ? undefined : value)) as GraphQLResponse;
}

/** Restores graphql-js's execute after the gateway's plugins chose the compiled one; counts compiled runs. */
function executorProbe(restoreGraphqlJs: boolean) {
  const seen = { compiled: 0, total: 0 };
  const plugin: Plugin = {
    onExecute({ executeFn, setExecuteFn }) {
      seen.total++;
      if ((executeFn as { name?: string }).name === 'compiledExecute') seen.compiled++;
      if (restoreGraphqlJs) setExecuteFn((args: ExecutionArgs) => graphqlJsExecute(args));
    },
  };
  return { plugin, seen };
}

interface Server {
  readonly gateway: Gateway;
  readonly server: RunningServer;
  post(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLResponse>;
}

async function start(plugin: Plugin): Promise<Server> {
  const gateway = await createGateway(parseConfig(CONFIG(TEST_PG_URL), { env: {} }));
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1', plugins: [plugin] });
  return {
    gateway,
    server,
    async post(query, variables = {}, operationName) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query, variables, operationName }),
      });
      return (await response.json()) as GraphQLResponse;
    },
  };
}

describe.skipIf(!admin)('compiled query execution answers as graphql-js does (real Postgres, HTTP)', () => {
  let compiled: Server;
  let reference: Server;
  const compiledProbe = executorProbe(false);
  const referenceProbe = executorProbe(true);

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.orders (region text, channel text, customer_id int, ts timestamptz, amount numeric, qty int);
      insert into ${SCHEMA}.orders values
        ('North', 'web',    1, '2024-01-05T10:00:00Z', 100.5, 2),
        ('North', 'retail', 2, '2024-01-20T10:00:00Z', 50,    1),
        ('South', 'web',    3, '2024-02-01T00:00:00Z', 75.25, 3),
        ('East',  'web',    9, '2024-03-15T23:30:00Z', 10,    0),
        ('East',  null,     1, '2025-01-01T00:00:00Z', 30,    1),
        (null,    'web',    2, '2025-02-02T00:00:00Z', 5,     5);
      create table ${SCHEMA}.customers (customer_id int, name text, credit numeric);
      insert into ${SCHEMA}.customers values (1, 'Ada', 1000), (2, 'Grace', 500), (3, 'Edsger', 250);
      create table ${SCHEMA}.targets (region text, target numeric);
      insert into ${SCHEMA}.targets values ('North', 120), ('South', 80), ('West', 10);`);
    compiled = await start(compiledProbe.plugin);
    reference = await start(referenceProbe.plugin);
  });

  afterAll(async () => {
    for (const s of [compiled, reference]) {
      await s?.server.close();
      await s?.gateway.close();
    }
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it.each(CASES)('$name: the same answer from both executors', async (c) => {
    const got = await compiled.post(c.query, c.variables, c.operationName);
    const want = await reference.post(c.query, c.variables, c.operationName);
    expect(comparable(got)).toEqual(comparable(want));
  });

  it('queries run compiled on one server and on graphql-js on the other', () => {
    // Every case reaches execution (a bad variable is refused inside it).
    expect(compiledProbe.seen.total).toBeGreaterThanOrEqual(CASES.length);
    expect(compiledProbe.seen.compiled).toBe(compiledProbe.seen.total);
    // The reference's probe saw the compiled executor chosen, then put graphql-js's back.
    expect(referenceProbe.seen.compiled).toBe(referenceProbe.seen.total);
  });

  it('aliases, fragments, @skip/@include and __typename shape the answer', async () => {
    const aliases = await compiled.post(CASES[0]!.query);
    expect(aliases.errors).toBeUndefined();
    expect(aliases.data.a.rows[0]).toEqual({ r: 'East', rev: 40, region: 'East' });
    expect(aliases.data.b.rows).toEqual([{ region: 'North', revenue: 150.5 }, { region: 'South', revenue: 75.25 }]);

    const fragments = await compiled.post(CASES[1]!.query);
    expect(fragments.data.orders.__typename).toBe('OrdersResult');
    expect(fragments.data.orders.rows[0]).toEqual({ region: 'East', __typename: 'OrdersRow', units: 1, u2: 1 });
    expect(fragments.data.orders.totals).toEqual({ __typename: 'OrdersTotals', revenue: 270.75 });

    const skipped = await compiled.post(CASES[2]!.query, CASES[2]!.variables);
    expect(skipped.data.orders.rows[0]).toEqual({ region: 'East', units: 1, avgAmount: 20 });
  });

  it('time buckets and calcs answer their own values', async () => {
    const time = await compiled.post(CASES[3]!.query);
    expect(time.data.orders.rows[0]).toEqual({ m: '2024-01-01T00:00:00+00:00', d: '2024-01-05T00:00:00+00:00', ts: '2024-01-05T00:00:00+00:00', y: '2024-01-01T00:00:00+00:00', orders: 1 });
    const calc = await compiled.post(CASES[4]!.query);
    expect(calc.data.orders.rows.find((r: { region: string }) => r.region === 'North')).toEqual({ region: 'North', perUnit: 150.5 / 3, twice: 301 });
    const bad = await compiled.post(CASES[5]!.query);
    expect(bad.data).toBeNull(); // the dataset field is non-null
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors![0]).toMatchObject({ path: ['bad'], locations: [{ line: 1, column: 35 }], extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('a variables error and a masked internal error keep their shape', async () => {
    const variables = await compiled.post(CASES[8]!.query, CASES[8]!.variables);
    expect(variables.data).toBeUndefined();
    expect(variables.errors![0]).toMatchObject({
      message: 'Variable "$n" got invalid value "x"; Int cannot represent non-integer value: "x"',
      locations: [{ line: 1, column: 7 }],
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const internal = await compiled.post(CASES[11]!.query);
    expect(internal.data).toBeNull(); // endless is non-null: its error nulls the whole answer, as in graphql-js
    expect(internal.errors![0]).toMatchObject({ message: 'Unexpected error.', path: ['endless'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('a HIT asked again with another selection answers that selection', async () => {
    const full = '{ orders(orderBy: [{ region: ASC }]) { rows { region channel revenue units } meta { cache } } }';
    const narrow = '{ orders(orderBy: [{ region: ASC }]) { rows { region revenue } meta { cache } } }';
    const other = '{ orders(orderBy: [{ region: ASC }]) { rows { units channel region } meta { cache } } }';
    for (const query of [full, full, narrow, narrow, other, full]) {
      const got = await compiled.post(query);
      const want = await reference.post(query);
      expect(got.errors).toBeUndefined();
      expect(got.data.orders.rows).toEqual(want.data.orders.rows);
      expect(Object.keys(got.data.orders.rows[0])).toEqual(Object.keys(want.data.orders.rows[0]));
    }
    const again = await compiled.post(narrow);
    expect(again.data.orders.meta.cache).not.toBe('MISS');
    expect(again.data.orders.rows[0]).toEqual({ region: 'East', revenue: 40 });
  });

  it('requests sharing a cached table (or a fusion its member tables) but not their calcs, selection or variables answer their own, even in flight together', async () => {
    const calc = (expr: string) => `{ orders(orderBy: [{ region: ASC }]) { rows { region c: calc(expr: ${JSON.stringify(expr)}) } } }`;
    const limited = 'query($n: Int) { orders(limit: $n, orderBy: [{ region: ASC }]) { rows { region } } }';
    const requests: [string, Record<string, unknown>?][] = [
      [calc('revenue * 2')],
      [calc('revenue + 1')],
      [calc('units - 1')],
      [limited, { n: 1 }],
      [limited, { n: 3 }],
      [limited],
      ['{ regionGoals(orderBy: [{ region: ASC }]) { rows { region revenue target } } }'],
      ['{ regionGoals(orderBy: [{ region: ASC }], limit: 1) { rows { region gap: calc(expr: "revenue - target") } totals { target } } }'],
      ['{ regionGoals(orderBy: [{ target: DESC }]) { rows { target region } totals { revenue } } }'],
    ];
    for (let round = 0; round < 3; round++) {
      const got = await Promise.all(requests.map(([q, v]) => compiled.post(q, v)));
      const want = await Promise.all(requests.map(([q, v]) => reference.post(q, v)));
      expect(got.map(comparable)).toEqual(want.map(comparable));
    }
    const [double, plusOne] = await Promise.all([compiled.post(calc('revenue * 2')), compiled.post(calc('revenue + 1'))]);
    expect(double.data.orders.rows[0]).toEqual({ region: 'East', c: 80 });
    expect(plusOne.data.orders.rows[0]).toEqual({ region: 'East', c: 41 });
    expect((await compiled.post(limited, { n: 1 })).data.orders.rows).toHaveLength(1);
    expect((await compiled.post(limited, { n: 3 })).data.orders.rows).toHaveLength(3);
  });
});
