import type pg from 'pg';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import type { GraphQLResponse } from './support/testGateway.ts';

/** The schema the bad-input suite owns; dropped when the suite ends. */
export const BAD_SCHEMA = 'tributary_badinput';

/**
 * Ten rows whose strings are what an attacker or a careless client would send: quotes,
 * LIKE wildcards, a backslash, non-ASCII text and a whole SQL statement. They are data,
 * so filters on them must match them literally. The 1900 row sits before every year
 * 0000–0099 would be read as if those were 1900–1999.
 */
export const ROWS: readonly (readonly [string, string | null, number | null, number, string, boolean | null])[] = [
  ['North', 'plain', 1, 10, '2024-01-15T00:00:00Z', true],
  ['South', "O'Brien", 2, 20, '2024-02-15T00:00:00Z', false],
  ['East', '100%', 3, 30, '2024-03-15T00:00:00Z', true],
  ['West', 'a_b', 4, 40, '2024-04-15T00:00:00Z', false],
  ['North', 'back\\slash', 5, 50, '2024-05-15T00:00:00Z', true],
  ['South', 'say "hi"', 6, 60, '2024-06-15T00:00:00Z', false],
  ['East', 'Zürich 東京 🚀', 7, 70, '2024-07-15T00:00:00Z', true],
  ['West', `x'; drop table ${BAD_SCHEMA}.sales; --`, 8, 80, '2024-08-15T00:00:00Z', false],
  ['East', 'aXb', 9, 5, '2024-09-15T00:00:00Z', true],
  ['North', null, null, 90, '1900-06-01T00:00:00Z', null],
];

export async function createBadInputTable(client: pg.Client): Promise<void> {
  await client.query(`drop schema if exists ${BAD_SCHEMA} cascade; create schema ${BAD_SCHEMA}`);
  await client.query(`create table ${BAD_SCHEMA}.sales (
    id serial primary key, region text, product text, qty int, amount numeric(12,2), ts timestamptz, flag boolean)`);
  for (const row of ROWS) {
    await client.query(`insert into ${BAD_SCHEMA}.sales (region, product, qty, amount, ts, flag) values ($1, $2, $3, $4, $5, $6)`, [...row]);
  }
}

/** Row count and a digest of every value: both must be unchanged after hostile input. */
export async function tableFingerprint(client: pg.Client): Promise<{ count: number; digest: string }> {
  const { rows } = await client.query(
    `select count(*)::int as count, md5(string_agg(s::text, '|' order by id)) as digest from ${BAD_SCHEMA}.sales s`,
  );
  return rows[0];
}

const SALES = `
  sales:
    source: warehouse
    table: ${BAD_SCHEMA}.sales
    timezone: UTC
    dimensions:
      region: { type: string }
      product: { type: string }
      qty: { type: number }
      ts: { type: time, granularity: month }
      flag: { type: boolean }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      avgAmount: { avg: amount }`;

/** Small limits, so the limit cases stay small: 500 rows, 50 IN values, 4 levels of AND/OR/NOT. */
const SERVER = 'server: { defaultLimit: 100, maxLimit: 500, maxInList: 50, maxFilterDepth: 4 }';

export const BAD_INPUT_CONFIG = (url: string) => `
${SERVER}
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:${SALES}
`;

/**
 * The same dataset plus three that fail at their source: one on a port nothing listens on,
 * one that sleeps past a 200 ms statement timeout, and one whose time value (infinity)
 * cannot be formatted, the one natural way found to raise an unexpected error.
 */
export const BROKEN_SOURCES_CONFIG = (url: string) => `
${SERVER}
sources:
  warehouse: { kind: postgres, url: "${url}" }
  down: { kind: postgres, url: "postgres://postgres@127.0.0.1:1/test" }
  slow: { kind: postgres, url: "${url}", statementTimeout: 200ms }
datasets:${SALES}
  offline:
    source: down
    table: ${BAD_SCHEMA}.sales
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
  sleepy:
    source: slow
    sql: "select pg_sleep(2) as x, 1 as v"
    measures: { v: { sum: v } }
  endless:
    source: warehouse
    sql: "select timestamptz 'infinity' as ts, 1 as v"
    dimensions: { ts: { type: time } }
    measures: { v: { sum: v } }
`;

/** A gateway whose sources are not checked at startup (one of them cannot be reached). */
export async function startUncheckedGateway(yaml: string): Promise<{ gateway: Gateway; server: RunningServer; close(): Promise<void> }> {
  const gateway = await createGateway(parseConfig(yaml, { env: {} }), { check: false });
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  const close = async () => {
    await server.close();
    await gateway.close();
  };
  return { gateway, server, close };
}

/** POSTs a JSON body to a GraphQL endpoint and returns the parsed response. */
export async function postGraphQL(url: string, body: unknown): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify(body),
  });
  return (await response.json()) as GraphQLResponse;
}

/** Asked after every bad request: the server must still answer it, exactly. */
export const KNOWN_GOOD_QUERY = '{ sales(orderBy: [{ region: ASC }]) { rows { region revenue orders } totals { revenue orders } } }';
export const KNOWN_GOOD_ANSWER = {
  sales: {
    rows: [
      { region: 'East', revenue: 105, orders: 3 },
      { region: 'North', revenue: 150, orders: 3 },
      { region: 'South', revenue: 80, orders: 2 },
      { region: 'West', revenue: 120, orders: 2 },
    ],
    totals: { revenue: 455, orders: 10 },
  },
};

/** A where input nested `levels` deep, alternating OR and AND lists. */
export function nestedWhere(levels: number): Record<string, unknown> {
  let where: Record<string, unknown> = { region: { eq: 'North' } };
  for (let i = 0; i < levels; i++) where = { [i % 2 === 0 ? 'AND' : 'OR']: [where] };
  return where;
}

/** `count` distinct string values `v0`, `v1`, ... */
export const values = (count: number) => Array.from({ length: count }, (_, i) => `v${i}`);
