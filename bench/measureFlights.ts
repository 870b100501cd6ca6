import type pg from 'pg';
import type { BenchGateway } from './benchGateway.ts';
import { captureStatements } from './captureStatements.ts';
import { onGatewayBackend } from './sameBackend.ts';
import { FLIGHT_QUERIES } from './benchFlights.ts';
import { dataOrThrow } from './benchGateway.ts';
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
}

/**
 * Times each flights query through the gateway as a cache miss (the cache is invalidated
 * before every request) against the hand-written aggregate through pg on the same backend, interleaved, and
 * describes the Postgres plan of the statement the gateway sent and of the hand-written one.
 */
export async function measureFlights(bench: BenchGateway, client: pg.Client, iterations: number, warmup: number): Promise<FlightsReport[]> {
  const reports: FlightsReport[] = [];
  // The hand-written query runs on the gateway's pooled connection: the same Postgres backend (bench/sameBackend.ts).
  const onBackend = onGatewayBackend(bench.gateway, 'bench');
  for (const query of FLIGHT_QUERIES) {
    const body = JSON.stringify({ query: query.document.replace('{ rows', '{ meta { sources { sql rows } } rows') });
    const first = dataOrThrow((bench.gateway.cache.invalidate(), await bench.post(body)), query.title).flights;
    const sent = first.meta.sources as { sql: string }[];
    const timed = await runInterleaved(
      {
        name: 'gateway',
        run: async () => {
          bench.gateway.cache.invalidate();
          return dataOrThrow(await bench.post(body), query.title).flights.rows.length;
        },
      },
      { name: 'direct pg', run: async () => (await onBackend(query.direct)).rows.length },
      { iterations, warmup },
    );
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
      `    source statements per miss: ${r.sourceStatements}`,
      `    gateway plan: ${r.gatewayPlan}`,
      `    direct plan:  ${r.directPlan}`,
    );
  }
  return lines.join('\n');
}
