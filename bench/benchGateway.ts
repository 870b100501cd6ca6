import type { Plugin } from 'graphql-yoga';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { createKeepAliveClient } from './keepAliveClient.ts';

/**
 * The dataset of demo/tributary.yaml, pointed at the benchmark's table on the real server.
 * The result cache is on unless the caller turns it off; bench:query's queries pass
 * `cache: BYPASS`, so every one of its timed requests reaches Postgres either way.
 */
export const BENCH_CONFIG = `
server: { port: 0, graphiql: false, defaultLimit: 1000, maxLimit: 50000 }
sources:
  bench: { kind: postgres, url: "\${BENCH_PG_URL}", pool: 4, statementTimeout: 120s }
datasets:
  sales:
    source: bench
    table: \${BENCH_TABLE}
    timezone: UTC
    progressive: { by: orderDate, slices: 12 }
    dimensions:
      region:    { type: string }
      country:   { type: string }
      product:   { type: string, column: product_name }
      category:  { type: string }
      channel:   { type: string }
      quantity:  { type: number }
      returned:  { type: boolean }
      orderDate: { type: time, column: order_ts, granularity: day }
    measures:
      revenue:   { sum: amount }
      cost:      { sum: cost }
      units:     { sum: quantity }
      orders:    { count: "*" }
      customers: { countDistinct: customer_id }
      avgPrice:  { avg: unit_price }
      maxAmount: { max: amount }
      minAmount: { min: amount }
      notional:  { sum: "unit_price * quantity" }
`;

export interface GraphQLResponse {
  data?: any;
  errors?: readonly { message: string; extensions?: { code?: string } }[];
}

export interface BenchGateway {
  readonly gateway: Gateway;
  readonly server: RunningServer;
  /**
   * POSTs a prepared JSON body to /graphql over real HTTP (one kept-alive connection, the
   * lean node:http client of keepAliveClient.ts, as the direct side keeps one pg connection)
   * and parses the whole response.
   */
  post(body: string): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

export interface BenchGatewayOptions {
  /** Tributary's result cache (`cache.enabled`); default true. */
  readonly cacheEnabled?: boolean;
  /** `cache.maxCoreRows`; unset keeps the product's default. */
  readonly maxCoreRows?: number;
  /** Extra Yoga plugins for the server, such as a response cache. */
  readonly plugins?: readonly Plugin[];
  /** `auth:` and `roles:` YAML put before the config; unset serves without access control. */
  readonly access?: string;
}

/** Starts a gateway for the benchmark table (`schema.table`) on a free loopback port. */
export async function startBenchGateway(pgUrl: string, table: string, options: BenchGatewayOptions = {}): Promise<BenchGateway> {
  const cache = { enabled: options.cacheEnabled ?? true, ...(options.maxCoreRows === undefined ? {} : { maxCoreRows: options.maxCoreRows }) };
  const config = parseConfig(`${options.access ?? ''}\ncache: ${JSON.stringify(cache)}\n${BENCH_CONFIG}`, { env: { BENCH_PG_URL: pgUrl, BENCH_TABLE: table } });
  const gateway = await createGateway(config);
  let server: RunningServer;
  try {
    server = await startServer(gateway, { port: 0, host: '127.0.0.1', plugins: options.plugins });
  } catch (error) {
    await gateway.close();
    throw error;
  }
  return keptAlive(gateway, server);
}

/** A BenchGateway posting over one kept-alive connection to `server`. */
export function keptAlive(gateway: Gateway, server: RunningServer): BenchGateway {
  const url = new URL(server.url);
  const client = createKeepAliveClient(url.origin, 1);
  return {
    gateway,
    server,
    post: async (body) => JSON.parse((await client.post(url.pathname, Buffer.from(body))).body.toString('utf8')) as GraphQLResponse,
    async close() {
      client.close();
      await server.close();
      await gateway.close();
    },
  };
}

export async function postGraphQL(url: string, body: string): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body,
  });
  return (await response.json()) as GraphQLResponse;
}

/** The response's data, or an Error listing its GraphQL errors with their codes. */
export function dataOrThrow(
  response: { readonly data?: unknown; readonly errors?: readonly { message: string; extensions?: Readonly<Record<string, unknown>> }[] },
  what: string,
): any {
  if (response.errors?.length) {
    const errors = response.errors.map((e) => `[${String(e.extensions?.code ?? 'no code')}] ${e.message}`).join('; ');
    throw new Error(`${what}: the gateway answered with errors: ${errors}`);
  }
  if (!response.data) throw new Error(`${what}: the gateway answered without data`);
  return response.data;
}

/** tributary_source_queries_total of the gateway, summed over its sources: statements it sent. */
export async function sourceQueries(bench: BenchGateway): Promise<number> {
  const metric = await bench.gateway.metrics.sourceQueries.get();
  return metric.values.reduce((sum, v) => sum + v.value, 0);
}
