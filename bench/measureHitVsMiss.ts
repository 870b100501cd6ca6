import { dataOrThrow, type GraphQLResponse } from './benchGateway.ts';
import { graphqlBody, type KeepAliveClient } from './keepAliveClient.ts';
import { runInterleaved } from './runInterleaved.ts';
import { countersBetween, scrapeCounters } from './scrapeCounters.ts';
import { summarize, type Summary } from './stats.ts';

/** The session's heaviest shape, over the whole table: every row of the 1M is aggregated. */
export const HEAVIEST_QUERY = `query Heaviest($cache: CacheMode) {
  sales(cache: $cache) {
    rows { region month: orderDate(granularity: MONTH) revenue orders avgPrice }
    meta { cache }
  }
}`;

export interface HitVsMiss {
  readonly rows: number;
  readonly miss: Summary;
  readonly hit: Summary;
  /** Source queries the timed and warm-up runs made: one per MISS run, none per HIT. */
  readonly sourceQueries: number;
  readonly missRuns: number;
}

/**
 * Times the heaviest query answered from the source (`cache: REFRESH`: fetches the core and
 * replaces the entry) against the same query answered by the entry (`cache: DEFAULT`, HIT),
 * interleaved, over HTTP. Every answer's `meta.cache` is checked.
 */
export async function measureHitVsMiss(client: KeepAliveClient, iterations: number, warmup: number): Promise<HitVsMiss> {
  const run = (mode: 'REFRESH' | 'DEFAULT', outcome: 'MISS' | 'HIT') => {
    const body = graphqlBody(HEAVIEST_QUERY, { cache: mode });
    return async () => {
      const response = await client.post('/graphql', body);
      const { sales } = dataOrThrow(JSON.parse(response.body.toString()) as GraphQLResponse, `heaviest query, cache: ${mode}`);
      if (sales.meta.cache !== outcome) throw new Error(`heaviest query with cache: ${mode} answered ${sales.meta.cache}; expected ${outcome}`);
      return sales.rows.length as number;
    };
  };
  const before = await scrapeCounters(client);
  const timed = await runInterleaved(
    { name: 'MISS (cache: REFRESH)', run: run('REFRESH', 'MISS') },
    { name: 'HIT (cache: DEFAULT)', run: run('DEFAULT', 'HIT') },
    { iterations, warmup },
  );
  const between = countersBetween(before, await scrapeCounters(client));
  if (timed.rows[0] !== timed.rows[1]) throw new Error(`heaviest query: MISS answered ${timed.rows[0]} rows, HIT ${timed.rows[1]}`);
  return {
    rows: timed.rows[0],
    miss: summarize(timed.samples[0]),
    hit: summarize(timed.samples[1]),
    sourceQueries: between.sourceQueries,
    missRuns: iterations + warmup,
  };
}
