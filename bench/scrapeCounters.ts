import type { KeepAliveClient } from './keepAliveClient.ts';

/** The counters a benchmark reads from a gateway's /metrics between requests. */
export interface GatewayCounters {
  /** Sum of `tributary_source_queries_total` over every source and dataset. */
  readonly sourceQueries: number;
  /** `tributary_cache_requests_total` by its `outcome` label (HIT, DERIVED, MISS, BYPASS). */
  readonly cacheOutcomes: Readonly<Record<string, number>>;
}

/** Scrapes /metrics over HTTP, as Prometheus would, and reads the two counters. */
export async function scrapeCounters(client: KeepAliveClient): Promise<GatewayCounters> {
  const { status, body } = await client.get('/metrics');
  if (status !== 200) throw new Error(`GET /metrics answered ${status}: ${body.toString().slice(0, 200)}`);
  const text = body.toString();
  return {
    sourceQueries: [...samplesOf(text, 'tributary_source_queries_total')].reduce((sum, s) => sum + s.value, 0),
    cacheOutcomes: Object.fromEntries(
      [...samplesOf(text, 'tributary_cache_requests_total')].map((s) => [/outcome="([^"]*)"/.exec(s.labels)?.[1] ?? '', s.value]),
    ),
  };
}

/** What happened between two scrapes: source queries made and plans answered per outcome. */
export function countersBetween(before: GatewayCounters, after: GatewayCounters): GatewayCounters {
  const outcomes: Record<string, number> = {};
  for (const [outcome, n] of Object.entries(after.cacheOutcomes)) {
    const delta = n - (before.cacheOutcomes[outcome] ?? 0);
    if (delta > 0) outcomes[outcome] = delta;
  }
  return { sourceQueries: after.sourceQueries - before.sourceQueries, cacheOutcomes: outcomes };
}

/** Samples of one metric in the Prometheus text format: `name{labels} value`. */
function* samplesOf(text: string, name: string): Generator<{ labels: string; value: number }> {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const labelsEnd = line.indexOf('}');
    const labels = line[name.length] === '{' ? line.slice(name.length + 1, labelsEnd) : '';
    const value = Number(line.slice((labelsEnd >= 0 ? labelsEnd : name.length) + 1).trim().split(' ')[0]);
    if (!Number.isFinite(value)) throw new Error(`cannot read the value of metric line: ${line}`);
    yield { labels, value };
  }
}
