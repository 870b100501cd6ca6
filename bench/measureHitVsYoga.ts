import { dataOrThrow, type GraphQLResponse } from './benchGateway.ts';
import { createKeepAliveClient, graphqlBody, type KeepAliveClient } from './keepAliveClient.ts';
import { runInterleaved } from './runInterleaved.ts';
import { countersBetween, scrapeCounters } from './scrapeCounters.ts';
import { startRowsServer } from './startRowsServer.ts';
import { summarize, type Summary } from './stats.ts';

/** A cached answer of a given size: the `rows` selection is what both servers are asked. */
export interface HitShape {
  readonly name: string;
  /** Arguments of `sales(…)`. */
  readonly args: string;
  /** The `rows { … }` selection; aliases name the bare server's fields. */
  readonly selection: string;
  readonly expectedRows: number;
}

/** 13 rows (months of 2024 and January 2025) and 10,000 rows (country × day), 5 fields each. */
export const HIT_SHAPES: readonly HitShape[] = [
  {
    name: '13 rows',
    args: 'where: { orderDate: { gte: "2024-01-01", lt: "2025-02-01" } }',
    selection: 'month: orderDate(granularity: MONTH) revenue orders avgPrice units',
    expectedRows: 13,
  },
  {
    name: '10,000 rows',
    args: 'limit: 10000',
    selection: 'country day: orderDate(granularity: DAY) revenue orders avgPrice',
    expectedRows: 10_000,
  },
];

export interface HitVsYoga {
  readonly shape: HitShape;
  readonly query: string;
  readonly rows: number;
  readonly responseBytes: number;
  readonly hit: Summary;
  readonly yoga: Summary;
}

/**
 * Times a cached Tributary answer (a HIT: made so with `cache: REFRESH` first, and checked
 * on /metrics: no source query while timed) against a bare Yoga serving the very same rows
 * as plain objects (startRowsServer), interleaved, one request at a time, same HTTP client
 * code. Every response of both must be byte-identical to the gateway's first one.
 */
export async function measureHitVsYoga(gatewayClient: KeepAliveClient, shape: HitShape, iterations: number, warmup: number): Promise<HitVsYoga> {
  const query = `query Rows { sales(${shape.args}) { rows { ${shape.selection} } } }`;
  const refresh = `query Refresh { sales(cache: REFRESH, ${shape.args}) { rows { ${shape.selection} } } }`;
  dataOrThrow(JSON.parse((await gatewayClient.post('/graphql', graphqlBody(refresh))).body.toString()) as GraphQLResponse, `${shape.name}, cache: REFRESH`);
  const check = `query Check { sales(${shape.args}) { meta { cache } } }`;
  const checked = dataOrThrow(JSON.parse((await gatewayClient.post('/graphql', graphqlBody(check))).body.toString()) as GraphQLResponse, `${shape.name}, check`);
  if (checked.sales.meta.cache !== 'HIT') throw new Error(`${shape.name}: expected a HIT after cache: REFRESH; got ${checked.sales.meta.cache}`);

  const body = graphqlBody(query);
  const expected = (await gatewayClient.post('/graphql', body)).body;
  const rows = dataOrThrow(JSON.parse(expected.toString()) as GraphQLResponse, shape.name).sales.rows as Record<string, unknown>[];
  if (rows.length !== shape.expectedRows) throw new Error(`${shape.name}: expected ${shape.expectedRows} rows; got ${rows.length}`);

  const bare = await startRowsServer(rows);
  const bareClient = createKeepAliveClient(bare.origin, 1);
  const bareBody = graphqlBody(`query Rows { sales { rows { ${Object.keys(rows[0]!).join(' ')} } } }`);
  const same = (what: string, got: Buffer) => {
    if (!got.equals(expected)) throw new Error(`${shape.name}: ${what} answered ${got.length} bytes that differ from the gateway's first ${expected.length}`);
    return rows.length;
  };
  try {
    const before = await scrapeCounters(gatewayClient);
    const timed = await runInterleaved(
      { name: 'Tributary HIT', run: async () => same('Tributary', (await gatewayClient.post('/graphql', body)).body) },
      { name: 'bare Yoga', run: async () => same('bare Yoga', (await bareClient.post('/graphql', bareBody)).body) },
      { iterations, warmup },
    );
    const between = countersBetween(before, await scrapeCounters(gatewayClient));
    const hits = between.cacheOutcomes.HIT ?? 0;
    const answered = Object.values(between.cacheOutcomes).reduce((n, x) => n + x, 0);
    if (between.sourceQueries !== 0 || hits !== answered) {
      throw new Error(`${shape.name}: every request must be a HIT; saw ${JSON.stringify(between.cacheOutcomes)} and ${between.sourceQueries} source queries`);
    }
    return { shape, query, rows: rows.length, responseBytes: expected.length, hit: summarize(timed.samples[0]), yoga: summarize(timed.samples[1]) };
  } finally {
    bareClient.close();
    await bare.close();
  }
}
