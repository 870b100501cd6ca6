/**
 * `npm run bench:trino`: an aggregate over `tpch.sf1.lineitem` (6M rows) through the
 * gateway (GraphQL over HTTP, `cache: BYPASS`, so every run goes to Trino) against the
 * same question asked of Trino directly in hand-written SQL through trino-client.
 * Target: gateway p50 / direct p50 <= 1.10.
 *
 * Uses TRINO_URL, else the launcher's server on 127.0.0.1:8080 (started detached when
 * none answers; stop it with `node trino/trino.mjs stop`). Checks both answers agree,
 * then times them interleaved after a warm-up. Exits 0 whether or not the target is met.
 *
 * Environment: TRINO_URL, BENCH_ITERATIONS (7), BENCH_WARMUP (1).
 */
import os from 'node:os';
import { BasicAuth, Trino } from 'trino-client';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import { startTrino, trinoAnswers } from '../trino/server.mjs';
import { runInterleaved } from './runInterleaved.ts';
import { getValidCount, log } from './settings.ts';
import { summarize } from './stats.ts';

const TARGET_RATIO = 1.1;
const GRAPHQL = '{ lineitem(cache: BYPASS) { rows { returnflag linestatus revenue discounted lines avgQty } } }';
const DIRECT_SQL = `select returnflag, linestatus, sum(extendedprice) as revenue, sum(extendedprice * (1 - discount)) as discounted,
  count(*) as lines, avg(quantity) as avg_qty
from tpch.sf1.lineitem group by returnflag, linestatus order by linestatus, returnflag`; // the gateway orders by dimension name

const CONFIG = (url: string) => `
sources:
  lake: { kind: trino, url: "${url}", catalog: tpch, schema: sf1, user: tributary-bench }
datasets:
  lineitem:
    source: lake
    table: lineitem
    dimensions: { returnflag: { type: string }, linestatus: { type: string } }
    measures:
      revenue: { sum: extendedprice }
      discounted: { sum: "extendedprice * (1 - discount)" }
      lines: { count: "*" }
      avgQty: { avg: quantity }
`;

async function main(): Promise<void> {
  const iterations = getValidCount(process.env, 'BENCH_ITERATIONS', 7, 1);
  const warmup = getValidCount(process.env, 'BENCH_WARMUP', 1, 0);
  const url = await trinoUrl();
  const gateway = await createGateway(parseConfig(CONFIG(url), { env: process.env }));
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  const direct = Trino.create({ server: url, catalog: 'tpch', schema: 'sf1', auth: new BasicAuth('tributary-bench-direct') });
  try {
    const viaGateway = async () => {
      const response = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: GRAPHQL }) });
      const body = (await response.json()) as { data?: { lineitem: { rows: Record<string, unknown>[] } }; errors?: unknown };
      if (!body.data) throw new Error(`gateway answered errors: ${JSON.stringify(body.errors)}`);
      return body.data.lineitem.rows;
    };
    const viaTrino = async () => {
      const rows: unknown[][] = [];
      for await (const page of await direct.query(DIRECT_SQL)) {
        if (page.error) throw new Error(`direct query failed: ${page.error.message}`);
        rows.push(...(page.data ?? []));
      }
      return rows;
    };
    log('checking the gateway and Trino agree (one run each, untimed)');
    const [ours, theirs] = [await viaGateway(), await viaTrino()];
    const same = ours.length === theirs.length && ours.every((row, i) => Math.abs((row.revenue as number) - (theirs[i]![2] as number)) <= 1e-9 * Math.abs(row.revenue as number) && row.lines === theirs[i]![4]);
    if (!same) throw new Error(`answers differ:\n gateway ${JSON.stringify(ours)}\n direct ${JSON.stringify(theirs)}`);
    log(`timing ${iterations} interleaved runs each after ${warmup} warm-up(s); each takes seconds on sf1`);
    const { samples, rows } = await runInterleaved(
      { name: 'gateway', run: async () => (await viaGateway()).length },
      { name: 'direct', run: async () => (await viaTrino()).length },
      { iterations, warmup, onIteration: (done, total) => log(`  ${done}/${total}`) },
    );
    const [g, d] = [summarize(samples[0]), summarize(samples[1])];
    const ratio = g.p50 / d.p50;
    const ms = (v: number) => `${v.toFixed(0)} ms`;
    console.log(
      [
        'bench:trino — aggregate over tpch.sf1.lineitem (6,001,215 rows): gateway (cache BYPASS) vs Trino directly',
        `method: ${iterations} interleaved runs each after ${warmup} warm-up(s); Node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]!.toFixed(1)}; Trino at ${url}`,
        `query: group by returnflag, linestatus (${rows[0]} rows): sum, sum of an expression, count, avg`,
        '',
        `gateway  p50 ${ms(g.p50)}  p95 ${ms(g.p95)}  min ${ms(g.min)}  max ${ms(g.max)}`,
        `direct   p50 ${ms(d.p50)}  p95 ${ms(d.p95)}  min ${ms(d.min)}  max ${ms(d.max)}`,
        `ratio gateway/direct p50: ${ratio.toFixed(3)}x (target <= ${TARGET_RATIO.toFixed(2)}x): ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}`,
      ].join('\n'),
    );
  } finally {
    await server.close();
    await gateway.close();
  }
}

async function trinoUrl(): Promise<string> {
  const external = process.env.TRINO_URL?.trim().replace(/\/+$/, '');
  if (external) return external;
  const local = 'http://127.0.0.1:8080';
  if (await trinoAnswers(local, 5_000)) return local;
  log('no Trino answers at 127.0.0.1:8080; starting the launcher\'s server (detached; stop it with node trino/trino.mjs stop)');
  return (await startTrino({ detached: true, log })).url;
}

main().catch((error: unknown) => {
  console.error(`bench:trino failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
});
