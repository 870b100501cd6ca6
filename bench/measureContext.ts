import { createClient } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import type { BenchKafka } from './benchKafka.ts';
import { redactUrl } from './redactUrl.ts';
import { percentile as percentileOfSorted } from './stats.ts';

const percentile = (xs: readonly number[], p: number) => percentileOfSorted([...xs].sort((a, b) => a - b), p);

const SCHEMA = 'tributary_bench_context';
const REGIONS = ['east', 'north', 'south', 'west'];
const WEEK = 7 * 86_400_000;

/** One stream with a relation (to a Postgres table) and a history field (over its landing table of 1 s windows). */
const CONFIG = `
sources:
  warehouse: { kind: postgres, url: "\${BENCH_PG_URL}" }
datasets:
  regions:
    source: warehouse
    table: ${SCHEMA}.regions
    dimensions: { region: { type: string }, manager: { type: string } }
    measures: { target: { sum: target } }
streams:
  orders:
    kafka: { brokers: "\${BENCH_KAFKA_BROKERS}", topic: "\${BENCH_TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    relations: { regionInfo: { dataset: regions, on: { region: region } } }
    history: { revenueLastWeek: { measure: revenue, offset: 7d } }
    grace: 100ms
    retention: 30d
    landing: { source: warehouse, table: ${SCHEMA}.orders_1s, window: 1s }
`;

const VARIANTS = [
  { name: 'plain', rows: 'region revenue orders' },
  { name: 'relation', rows: 'region revenue orders regionInfo { manager target }' },
  { name: 'history', rows: 'region revenue orders revenueLastWeek ratio: calc(expr: "revenue / revenueLastWeek")' },
] as const;

export interface ContextSettings {
  readonly pgUrl: string;
  /** Windows (1 s of event time each, so final versions) per run. */
  readonly windows: number;
  /** Wall time between two windows' batches. */
  readonly paceMs: number;
  readonly rounds: number;
}

/**
 * The cost per window version of a relation and of a history field on stream rows, against
 * the same FINAL subscription (tumble 1s by region) without them. The gateway runs in this
 * process with one graphql-ws subscriber; each run produces `windows` batches of events
 * (event time advancing 1 s per batch, 4 regions, last week landed for every window), one
 * batch every `paceMs`: the first event of a batch closes the window before it. Measured per
 * final version: the time from producing the closing batch to the version's delivery
 * (p50/p99), and the gateway process's CPU per version. Variants alternate over `rounds`
 * (fresh event times each run, so every version's relation and history are cache misses
 * except the repeated key sets of the relation). Returns the lines to print (one saying
 * why, when Postgres cannot be reached).
 */
export async function measureContext(kafka: BenchKafka, topic: string, settings: ContextSettings, log: (line: string) => void): Promise<string[]> {
  const db = new pg.Client({ connectionString: settings.pgUrl });
  try {
    await db.connect();
  } catch (error) {
    // The other parts need only Kafka: without Postgres this one is skipped, saying why.
    await db.end().catch(() => {});
    return [`stream context: skipped, Postgres at ${redactUrl(settings.pgUrl)} is unreachable (${(error as Error).message}); set BENCH_PG_URL`];
  }
  await db.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
  await db.query(`create table ${SCHEMA}.regions (region text primary key, manager text not null, target numeric(12,2) not null)`);
  for (const [i, region] of REGIONS.entries()) await db.query(`insert into ${SCHEMA}.regions values ($1, $2, $3)`, [region, `manager ${i}`, 1000 + i]);
  const gateway = await createGateway(parseConfig(CONFIG, { env: { BENCH_PG_URL: settings.pgUrl, BENCH_KAFKA_BROKERS: kafka.brokers, BENCH_TOPIC: topic } }));
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  const producer = kafka.client('tributary-bench-context').producer();
  await producer.connect();
  const client = createClient({ url: server.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0 });
  const results = new Map<string, { latencies: number[]; cpuUs: number[]; versions: number; historyQueries: number; lookups: number }>();
  let historyQueries = 0;
  let lookups = 0;
  const answer = gateway.answer;
  gateway.answer = (request, options) => {
    if (request.dataset === 'ordersHistory') historyQueries += 1;
    if (request.dataset === 'regions') lookups += 1;
    return answer(request, options);
  };
  // Event time: whole seconds from two days ago, each run after the previous one.
  let base = Math.floor(Date.now() / 1000) * 1000 - 2 * 86_400_000;
  try {
    for (let round = 0; round < settings.rounds; round++) {
      for (const variant of VARIANTS) {
        const start = base;
        base += (settings.windows + 10) * 1000;
        // Last week, landed as the landing writer would have: one row per window and region.
        await db.query(
          `insert into ${SCHEMA}.orders_1s (window_start, window_end, "partition", region, revenue_sum, orders_count)
           select to_timestamp(($1::bigint + s * 1000) / 1000.0), to_timestamp(($1::bigint + s * 1000 + 1000) / 1000.0), 0, r, 100 + s, 5
           from generate_series(0, $2::int) s, unnest($3::text[]) r`,
          [start - WEEK, settings.windows, REGIONS],
        );
        const sentAt = new Map<number, number>();
        const latencies: number[] = [];
        let finals = 0;
        let delivered = 0;
        let done!: () => void;
        let failed!: (e: unknown) => void;
        const finished = new Promise<void>((resolve, reject) => ((done = resolve), (failed = reject)));
        const unsubscribe = client.subscribe(
          { query: `subscription { orders(window: { tumble: "1s" }, emit: FINAL) { start final rows { ${variant.rows} } } }` },
          {
            next: (result) => {
              if (result.errors) return failed(new Error(`${variant.name}: ${JSON.stringify(result.errors)}`));
              const w = (result.data as { orders: { start: string } }).orders;
              delivered += 1;
              const k = (Date.parse(w.start) - start) / 1000;
              if (k < 0) return; // a window of the previous run
              const closedBy = sentAt.get(k + 1);
              if (closedBy !== undefined) latencies.push(performance.now() - closedBy);
              if (++finals >= settings.windows) done();
            },
            error: failed,
            complete: () => {},
          },
        );
        await waitForSubscriber(gateway, 1);
        const cpuBefore = process.cpuUsage();
        const [historyBefore, lookupsBefore] = [historyQueries, lookups];
        for (let k = 0; k <= settings.windows; k++) {
          const t = start + k * 1000;
          const messages = Array.from({ length: 20 }, (_, i) => ({ value: JSON.stringify({ ts: t + 200 + i * 30, region: REGIONS[i % REGIONS.length], amount: 1 + ((k * 20 + i) % 97) / 100 }) }));
          sentAt.set(k, performance.now());
          await producer.send({ topic, messages });
          await new Promise((resolve) => setTimeout(resolve, settings.paceMs));
        }
        await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error(`${variant.name}: ${finals} of ${settings.windows} finals after 60 s`)), 60_000).unref())]);
        const cpu = process.cpuUsage(cpuBefore);
        unsubscribe();
        await waitForSubscriber(gateway, 0);
        const r = results.get(variant.name) ?? { latencies: [], cpuUs: [], versions: 0, historyQueries: 0, lookups: 0 };
        r.latencies.push(...latencies);
        r.cpuUs.push((cpu.user + cpu.system) / finals);
        r.versions += delivered;
        r.historyQueries += historyQueries - historyBefore;
        r.lookups += lookups - lookupsBefore;
        results.set(variant.name, r);
        log(`   ${variant.name} round ${round + 1}: ${finals} finals, p50 ${percentile(latencies, 50).toFixed(1)} ms`);
      }
    }
  } finally {
    await client.dispose();
    await producer.disconnect();
    await server.close();
    await gateway.close();
    await db.query(`drop schema if exists ${SCHEMA} cascade`);
    await db.end();
  }
  const plain = results.get('plain')!;
  const median = (xs: number[]) => percentile(xs, 50);
  const lines = [
    `stream context (bench:stream context): FINAL tumble 1s by region (4 rows per version), ${settings.windows} windows per run, a batch of 20 events every ${settings.paceMs} ms, ${settings.rounds} rounds alternating; gateway, producer and subscriber in this process (CPU per version includes producing and landing; medians of the rounds)`,
  ];
  for (const variant of VARIANTS) {
    const r = results.get(variant.name)!;
    const cpu = median(r.cpuUs);
    const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
    const extra = variant.name === 'plain' ? '' : `; ${signed(median(r.latencies) - median(plain.latencies), 1)} ms p50 and ${signed((cpu - median(plain.cpuUs)) / 1000, 2)} ms CPU per version vs plain`;
    const queries = variant.name === 'history' ? `, ${r.historyQueries} history queries` : variant.name === 'relation' ? `, ${r.lookups} relation lookups` : '';
    lines.push(
      `  ${variant.name.padEnd(8)} ${r.versions} versions${queries}: closing batch → delivery p50 ${median(r.latencies).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms; gateway CPU ${(cpu / 1000).toFixed(2)} ms per version${extra}`,
    );
  }
  return lines;

  async function waitForSubscriber(g: typeof gateway, n: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = (await g.metrics.subscribers.get()).values.find((v) => v.labels.stream === 'orders')?.value ?? 0;
      if (value === n) return;
      if (Date.now() > deadline) throw new Error(`context: ${value} subscribers, waiting for ${n}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
