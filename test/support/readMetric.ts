import type { TestGateway } from './testGateway.ts';

/**
 * Scrapes a running gateway's /metrics over HTTP and returns the sum of the samples of
 * `name` whose labels include every pair of `labels` (0 when there is none), so a test
 * can read `tributary_source_queries_total` across all its `{source, dataset}` series.
 */
export async function readMetric(gw: TestGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const response = await fetch(gw.server.url.replace(/\/graphql$/, '/metrics'));
  const text = await response.text();
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(match[3]);
  }
  return total;
}
