import { dataOrThrow, type GraphQLResponse } from './benchGateway.ts';
import { createKeepAliveClient, graphqlBody, type KeepAliveClient } from './keepAliveClient.ts';
import { compareThroughput, type Throughput } from './measureThroughput.ts';
import { countersBetween, scrapeCounters } from './scrapeCounters.ts';
import { startHelloServer } from './startHelloServer.ts';

/** A small cached answer: one row per region for 2024. */
export const CACHED_QUERY =
  'query Kpi { sales(where: { orderDate: { gte: "2024-01-01", lt: "2025-01-01" } }) { rows { region revenue orders } } }';
const HELLO_QUERY = 'query Hello { hello }';

export interface CachedThroughput {
  readonly query: string;
  readonly resultBytes: number;
  readonly concurrency: number;
  readonly tributary: Throughput;
  readonly hello: Throughput;
  readonly pairRatios: readonly number[];
}

/**
 * Requests/s of CACHED_QUERY answered as a HIT by the gateway behind `gatewayClient`, against
 * a trivial Yoga server in this process, with the same client and concurrency. The query is
 * made a HIT first: `cache: REFRESH` stores its own core (DEFAULT alone would only derive it
 * from a wider core). Every response must equal the first one, and /metrics must show only
 * HITs and no source query afterwards.
 */
export async function measureCachedThroughput(gatewayClient: KeepAliveClient, concurrency: number, secondsPerSide: number): Promise<CachedThroughput> {
  const refresh = await gatewayClient.post('/graphql', graphqlBody(CACHED_QUERY.replace('sales(', 'sales(cache: REFRESH, ')));
  dataOrThrow(JSON.parse(refresh.body.toString()) as GraphQLResponse, 'throughput query, cache: REFRESH');
  const body = graphqlBody(CACHED_QUERY);
  const expected = (await gatewayClient.post('/graphql', body)).body;
  const rows = dataOrThrow(JSON.parse(expected.toString()) as GraphQLResponse, 'throughput query').sales.rows.length;
  if (rows !== 5) throw new Error(`throughput query: expected 5 rows (one per region); got ${rows}`);

  const hello = await startHelloServer();
  const helloClient = createKeepAliveClient(hello.origin, concurrency);
  try {
    const helloBody = graphqlBody(HELLO_QUERY);
    const helloExpected = (await helloClient.post('/graphql', helloBody)).body;
    dataOrThrow(JSON.parse(helloExpected.toString()) as GraphQLResponse, 'hello query');

    const before = await scrapeCounters(gatewayClient);
    const compared = await compareThroughput(
      { name: 'Tributary HIT', client: gatewayClient, body, expected },
      { name: 'Yoga hello', client: helloClient, body: helloBody, expected: helloExpected },
      { concurrency, legs: secondsPerSide * 2, legMs: 500, warmupMs: 1000 },
    );
    const between = countersBetween(before, await scrapeCounters(gatewayClient));
    const hits = between.cacheOutcomes.HIT ?? 0;
    const answered = Object.values(between.cacheOutcomes).reduce((n, x) => n + x, 0);
    if (between.sourceQueries !== 0 || hits !== answered) {
      throw new Error(`throughput: every request must be a HIT; saw ${JSON.stringify(between.cacheOutcomes)} and ${between.sourceQueries} source queries`);
    }
    return { query: CACHED_QUERY, resultBytes: expected.length, concurrency, tributary: compared.a, hello: compared.b, pairRatios: compared.pairRatios };
  } finally {
    helloClient.close();
    await hello.close();
  }
}
