import type { Gateway } from '../server/index.ts';
import type { Source } from '../sources/index.ts';
import { dataOrThrow, type GraphQLResponse } from './benchGateway.ts';
import type { Interaction } from './dashboardSession.ts';
import { graphqlBody, type KeepAliveClient } from './keepAliveClient.ts';
import { countersBetween, scrapeCounters } from './scrapeCounters.ts';

export interface InteractionResult {
  /** Wall time of the GraphQL request as the client saw it. */
  readonly ms: number;
  /** `tributary_source_queries_total` difference across the request. */
  readonly sourceQueries: number;
  /** Row-count estimates (EXPLAIN) the cache asked the source for; not in the metric. */
  readonly estimates: number;
  /** Plans answered per cache outcome (`tributary_cache_requests_total` difference). */
  readonly cacheOutcomes: Readonly<Record<string, number>>;
  readonly data: unknown;
}

export interface SessionResult {
  readonly interactions: readonly InteractionResult[];
  /** Source queries of the whole session, from /metrics before the first and after the last interaction. */
  readonly sourceQueries: number;
  readonly estimates: number;
}

/**
 * Plays a session against a running gateway, one interaction at a time, and records what
 * each cost: client-side latency, source queries (scraped from /metrics before and after,
 * outside the timed window) and planner estimates (counted by wrapping the sources'
 * `estimateRows` for the duration of the session).
 */
export async function runSession(
  gateway: Gateway,
  client: KeepAliveClient,
  session: readonly Interaction[],
  onProgress: (done: number, result: InteractionResult) => void,
): Promise<SessionResult> {
  const estimates = countEstimates(gateway);
  try {
    const first = await scrapeCounters(client);
    const interactions: InteractionResult[] = [];
    let before = first;
    for (const [i, interaction] of session.entries()) {
      const body = graphqlBody(interaction.document);
      const estimatesBefore = estimates.count;
      const started = performance.now();
      const response = await client.post('/graphql', body);
      const ms = performance.now() - started;
      const parsed = JSON.parse(response.body.toString()) as GraphQLResponse;
      const data = dataOrThrow(parsed, `interaction ${i + 1} (${interaction.what})`);
      if (response.status !== 200) throw new Error(`interaction ${i + 1}: HTTP ${response.status}`);
      const after = await scrapeCounters(client);
      const between = countersBetween(before, after);
      before = after;
      const result = { ms, sourceQueries: between.sourceQueries, estimates: estimates.count - estimatesBefore, cacheOutcomes: between.cacheOutcomes, data };
      interactions.push(result);
      onProgress(i + 1, result);
    }
    return { interactions, sourceQueries: before.sourceQueries - first.sourceQueries, estimates: estimates.count };
  } finally {
    estimates.restore();
  }
}

/** Counts `estimateRows` calls on the gateway's sources until `restore()`. */
function countEstimates(gateway: Gateway): { readonly count: number; restore(): void } {
  let count = 0;
  const sources = [...gateway.sources.values()];
  const originals = sources.map((s) => ({ estimateRows: s.estimateRows, own: Object.hasOwn(s, 'estimateRows') }));
  sources.forEach((source, i) => {
    const original = originals[i]!.estimateRows;
    (source as { estimateRows: Source['estimateRows'] }).estimateRows = (query) => {
      count++;
      return original.call(source, query);
    };
  });
  return {
    get count() {
      return count;
    },
    restore() {
      sources.forEach((source, i) => {
        const { estimateRows, own } = originals[i]!;
        if (own) (source as { estimateRows: Source['estimateRows'] }).estimateRows = estimateRows;
        else delete (source as { estimateRows?: Source['estimateRows'] }).estimateRows;
      });
    },
  };
}
