import { performance } from 'node:perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchGateway } from './benchGateway.ts';
import { dataOrThrow } from './benchGateway.ts';
import { log } from './settings.ts';
import { summarize, type Summary } from './stats.ts';

/** The demo dashboard's full-history panel: revenue and orders by region and month, every row of the table. */
const FIELDS = 'rows { region orderDate(granularity: MONTH) revenue orders }';
const PROGRESSIVE = `subscription FullHistory { sales(cache: BYPASS, limit: 20000) { progress final ${FIELDS} } }`;
const PLAIN = JSON.stringify({ query: `query FullHistory { sales(cache: BYPASS, limit: 20000) { ${FIELDS} } }` });

export interface ProgressiveReport {
  readonly first: Summary;
  readonly final: Summary;
  /** Time to the first version over time to the final one, per run. */
  readonly ratio: Summary;
  readonly plain: Summary;
  readonly versions: number;
}

/**
 * Times the full-history query as the progressive subscription (graphql-ws, cache: BYPASS so
 * every slice reaches the source): from subscribe to the first version and to the final one,
 * alternating with the same query as a plain request (what the dashboard would wait for
 * without slices). The final version must have as many rows as the plain answer.
 */
export async function measureProgressive(bench: BenchGateway, iterations: number, warmup: number): Promise<ProgressiveReport> {
  const client = createClient({ url: bench.server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  const first: number[] = [];
  const final: number[] = [];
  const plain: number[] = [];
  let versions = 0;
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const run = await subscribeOnce(client);
      const started = performance.now();
      const rows = dataOrThrow(await bench.post(PLAIN), 'plain full history').sales.rows.length;
      const plainMs = performance.now() - started;
      if (rows !== run.rows) throw new Error(`the final version had ${run.rows} rows, the plain query ${rows}`);
      if (i < warmup) continue;
      first.push(run.firstMs);
      final.push(run.finalMs);
      plain.push(plainMs);
      versions = run.versions;
      log(`  progressive run ${i - warmup + 1}/${iterations}: first version ${run.firstMs.toFixed(0)} ms, final ${run.finalMs.toFixed(0)} ms (${run.versions} versions); plain ${plainMs.toFixed(0)} ms`);
    }
  } finally {
    await client.dispose();
  }
  return { first: summarize(first), final: summarize(final), ratio: summarize(first.map((f, i) => f / final[i]!)), plain: summarize(plain), versions };
}

function subscribeOnce(client: ReturnType<typeof createClient>): Promise<{ firstMs: number; finalMs: number; versions: number; rows: number }> {
  const started = performance.now();
  let firstMs: number | undefined;
  let versions = 0;
  let rows = 0;
  let finalMs: number | undefined;
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query: PROGRESSIVE },
      {
        next: (result) => {
          if (result.errors) return reject(new Error(`progressive full history: ${JSON.stringify(result.errors)}`));
          const version = (result.data as { sales: { final: boolean; rows: unknown[] } }).sales;
          firstMs ??= performance.now() - started;
          versions++;
          if (version.final) {
            finalMs = performance.now() - started;
            rows = version.rows.length;
          }
        },
        error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
        complete: () => (finalMs === undefined ? reject(new Error('the subscription completed without a final version')) : resolve({ firstMs: firstMs!, finalMs, versions, rows })),
      },
    );
  });
}

/** The report's section: both times, their ratio against the target, and the plain query beside them. */
export function formatProgressive(where: string, report: ProgressiveReport, target: number): string {
  const ms = (s: Summary) => `p50 ${s.p50.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
  const met = report.ratio.p50 <= target ? 'met' : 'NOT met';
  return [
    '',
    `Progressive answers on ${where}: the full-history query (${FIELDS}) as the sales subscription, cache: BYPASS, ${report.first.n} runs, ${report.versions} versions each`,
    `  time to the first version   ${ms(report.first)}`,
    `  time to the final version   ${ms(report.final)}`,
    `  first / final               p50 ${report.ratio.p50.toFixed(3)} (max ${report.ratio.max.toFixed(3)}); target <= ${target}: ${met}`,
    `  the plain query             ${ms(report.plain)}; final / plain ${(report.final.p50 / report.plain.p50).toFixed(2)}x`,
    '',
  ].join('\n');
}
