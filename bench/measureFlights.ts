import type pg from 'pg';
import type { BenchGateway } from './benchGateway.ts';
import { captureStatements } from './captureStatements.ts';
import { onGatewayBackend } from './sameBackend.ts';
import { FLIGHT_QUERIES } from './benchFlights.ts';
import { dataOrThrow, sourceQueries } from './benchGateway.ts';
import { describePgPlan } from './describePgPlan.ts';
import { runInterleaved } from './runInterleaved.ts';
import { summarize } from './stats.ts';

export interface FlightsReport {
  readonly title: string;
  readonly gatewayP50: number;
  readonly directP50: number;
  readonly gatewayPlan: string;
  readonly directPlan: string;
  readonly sourceStatements: number;
  readonly iterations: number;
  /** Median over iterations of gateway - direct in the same iteration, ms. */
  readonly pairedOverheadMs: number;
  /** Median over iterations of gateway / direct in the same iteration (steadier than p50 / p50 when the machine drifts). */
  readonly pairedRatio: number;
}

/**
 * Times each flights query through the gateway as a cache miss (the cache is emptied
 * before every request, outside the timing) against the hand-written aggregate through pg on the same backend, interleaved, and
 * describes the Postgres plan of the statement the gateway sent and of the hand-written one.
 */
export async function measureFlights(bench: BenchGateway, client: pg.Client, iterations: number, warmup: number): Promise<FlightsReport[]> {
  const reports: FlightsReport[] = [];
  // The hand-written query runs on the gateway's pooled connection: the same Postgres backend (bench/sameBackend.ts).
  const onBackend = onGatewayBackend(bench.gateway, 'bench');
  for (const query of FLIGHT_QUERIES) {
    // The first request asks for meta.sources to count the statements one miss sends; the
    // timed ones send the query as a dashboard would, without that bench-only selection
    // (it returns the SQL text, about 1 ms of extra work per request here).
    const body = JSON.stringify({ query: query.document });
    const first = dataOrThrow(
      (bench.gateway.cache.invalidate(), await bench.post(JSON.stringify({ query: query.document.replace('{ rows', '{ meta { sources { sql rows } } rows') }))),
      query.title,
    ).flights;
    const sent = first.meta.sources as { sql: string }[];
    const sourceCallsBefore = await sourceQueries(bench);
    const timed = await runInterleaved(
      {
        name: 'gateway',
        // Emptying the cache is setup, not part of the answer: every timed request is a MISS.
        prepare: () => bench.gateway.cache.invalidate(),
        run: async () => dataOrThrow(await bench.post(body), query.title).flights.rows.length,
      },
      { name: 'direct pg', run: async () => (await onBackend(query.direct)).rows.length },
      { iterations, warmup },
    );
    const calls = (await sourceQueries(bench)) - sourceCallsBefore;
    if (calls !== (iterations + warmup) * sent.length) {
      throw new Error(`${query.title}: expected ${(iterations + warmup) * sent.length} source queries from the gateway's misses; it made ${calls}`);
    }
    if (timed.rows[0] !== timed.rows[1]) throw new Error(`${query.title}: the gateway returned ${timed.rows[0]} rows, direct pg ${timed.rows[1]}`);
    // The gateway's statement, with the parameters it bound, as the source planned it.
    bench.gateway.cache.invalidate();
    const seen = await captureStatements(bench.gateway, 'bench', () => bench.post(body));
    reports.push({
      title: query.title,
      gatewayP50: summarize(timed.samples[0]).p50,
      directP50: summarize(timed.samples[1]).p50,
      gatewayPlan: seen[0] ? await describePgPlan(client, seen[0].sql, seen[0].params) : '?',
      directPlan: await describePgPlan(client, query.direct, []),
      sourceStatements: sent.length,
      iterations,
      pairedOverheadMs: summarize(timed.samples[0].map((ms, i) => ms - timed.samples[1][i]!)).p50,
      pairedRatio: summarize(timed.samples[0].map((ms, i) => ms / timed.samples[1][i]!)).p50,
    });
  }
  return reports;
}

export function formatFlights(reports: readonly FlightsReport[], target: number): string {
  const lines = ['', 'Second table: i10sql_bench.flights (group estimate far off); gateway as a cache MISS vs the hand-written aggregate through pg'];
  for (const r of reports) {
    const ratio = r.gatewayP50 / r.directP50;
    lines.push(
      `  ${r.title}`,
      `    gateway p50 ${r.gatewayP50.toFixed(1)} ms, direct pg p50 ${r.directP50.toFixed(1)} ms: ratio ${ratio.toFixed(2)}x (target <= ${target.toFixed(2)}x) ${ratio <= target ? 'MET' : 'NOT MET'}`,
      `    paired over ${r.iterations} iterations (same iteration, alternating order): gateway - direct median +${r.pairedOverheadMs.toFixed(2)} ms, gateway / direct median ${r.pairedRatio.toFixed(3)}x`,
      `    source statements per miss: ${r.sourceStatements}`,
      `    gateway plan: ${r.gatewayPlan}`,
      `    direct plan:  ${r.directPlan}`,
    );
  }
  return lines.join('\n');
}
