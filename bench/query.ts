/**
 * `npm run bench:query`: the gateway's query overhead against a real PostgreSQL server.
 *
 * Second table (benchFlights.ts): 200,000 flights whose group estimate is far off; its
 * queries run through the gateway as cache misses and are compared with the aggregate a
 * person would write, run through pg (not the gateway's SQL, which would hide bad SQL), and
 * the Postgres plan of both is printed. Target <= 1.10x on it.
 *
 * Seeds (once) 1,000,000 demo sales rows into the `tributary_bench` schema, starts a
 * gateway over them, and for each benchmark query times the full GraphQL request over HTTP
 * against a pg.Client running the aggregate a person would write for it (not the gateway's
 * SQL: bad SQL would hide itself), interleaved. Prints a report; exits 0 whether or not the target ratio is met, and
 * non-zero only when something failed.
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test),
 * BENCH_ITERATIONS (30), BENCH_FLIGHTS_ITERATIONS (80), BENCH_WARMUP (3), BENCH_TRACE_ITERATIONS (30 traced requests,
 * at most ~15 s per query; 0 skips the trace), BENCH_PROFILE_ITERATIONS (200 hot-loop runs
 * per component; 0 skips them), BENCH_QUERY_ONLY=progressive or flights (only that section).
 *
 * Progressive answers (issue 12): the demo dashboard's full-history query as the `sales`
 * subscription, time to the first version against time to the final one (target <= 0.20).
 */
import os from 'node:os';
import pg from 'pg';
import { compileFor } from '../sources/index.ts';
import { explainQuery } from '../server/index.ts';
import { captureStatements } from './captureStatements.ts';
import { backendSpread, onGatewayBackend } from './sameBackend.ts';
import { dataOrThrow, sourceQueries, startBenchGateway, type BenchGateway } from './benchGateway.ts';
import { ensureBenchSales } from './benchSalesTable.ts';
import { describePgPlan } from './describePgPlan.ts';
import { ensureBenchFlights, startFlightsGateway } from './benchFlights.ts';
import { formatFlights, measureFlights } from './measureFlights.ts';
import { formatReport, type QueryReport } from './printReport.ts';
import { profileComponents } from './profileComponents.ts';
import { redactUrl } from './redactUrl.ts';
import { runInterleaved } from './runInterleaved.ts';
import { summarize } from './stats.ts';
import { traceRequests } from './traceRequests.ts';
import { measureTransportFloor } from './transportFloor.ts';
import { formatProgressive, measureProgressive } from './measureProgressive.ts';
import { startDemoGateway } from './demoGateway.ts';
import { DataDirLocked } from '../sources/index.ts';
import { getValidCount, log } from './settings.ts';

const TARGET_RATIO = 1.1;
/** Issue 12: the first progressive version within this share of the time to the final one. */
const PROGRESSIVE_TARGET = 0.2;
const SCHEMA = 'tributary_bench';
const TABLE = 'sales';
const ROWS = 1_000_000;

interface BenchQuery {
  readonly title: string;
  /** Selects `sales.rows` with `revenue` (checked against the direct result). */
  readonly document: string;
  /**
   * The aggregate a person would write for it, run directly through pg: not the gateway's
   * SQL, which would hide SQL that spoils the plan. Its revenue column is "revenue.sum".
   */
  readonly direct: string;
}

const QUERIES: readonly BenchQuery[] = [
  {
    title: 'revenue, orders, avgPrice by region and month over the whole table',
    document: `
query RevenueByRegionAndMonth {
  sales(cache: BYPASS) {
    rows { region month: orderDate(granularity: MONTH) revenue orders avgPrice }
  }
}`,
    direct: `select region, date_trunc('month', order_ts at time zone 'UTC') as month, sum(amount)::float8 as "revenue.sum", count(*) as orders, avg(unit_price) as avg_price
  from ${SCHEMA}.${TABLE} group by 1, 2 order by 1, 2`,
  },
  {
    title: 'revenue and orders by region for June 2025 (uses the order_ts index)',
    document: `
query RevenueByRegionInJune {
  sales(cache: BYPASS, where: { orderDate: { gte: "2025-06-01", lt: "2025-07-01" } }) {
    rows { region revenue orders }
  }
}`,
    direct: `select region, sum(amount)::float8 as "revenue.sum", count(*) as orders
  from ${SCHEMA}.${TABLE} where order_ts >= '2025-06-01T00:00:00Z' and order_ts < '2025-07-01T00:00:00Z' group by 1 order by 1`,
  },
];

interface Settings {
  readonly url: string;
  readonly iterations: number;
  /** The flights queries are short and this machine drifts between batches: more runs steady their p50. */
  readonly flightsIterations: number;
  readonly warmup: number;
  readonly traceIterations: number;
  readonly profileIterations: number;
}

/** The transport floor is measured for queries whose direct p50 is under this. */
const FLOOR_BELOW_MS = 200;

/** Wall-time budget of the request trace per query; the whole-table query stops early. */
const TRACE_BUDGET_MS = 15_000;

function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    url: env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
    iterations: getValidCount(env, 'BENCH_ITERATIONS', 30, 1),
    flightsIterations: getValidCount(env, 'BENCH_FLIGHTS_ITERATIONS', 80, 1),
    warmup: getValidCount(env, 'BENCH_WARMUP', 3, 0),
    traceIterations: getValidCount(env, 'BENCH_TRACE_ITERATIONS', 30, 0),
    profileIterations: getValidCount(env, 'BENCH_PROFILE_ITERATIONS', 200, 0),
  };
}


async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const table = await ensureBenchSales({ url: settings.url, schema: SCHEMA, table: TABLE, rows: ROWS, log });
  const client = new pg.Client({ connectionString: settings.url, options: '-c TimeZone=UTC', application_name: 'tributary-bench-direct' });
  let bench: BenchGateway | undefined;
  try {
    bench = await startBenchGateway(settings.url, `${SCHEMA}.${TABLE}`);
    await client.connect();
    const pgSettings = await client.query<{ jit: string; workers: string }>(
      "select current_setting('jit') as jit, current_setting('max_parallel_workers_per_gather') as workers",
    );
    if (process.env.BENCH_QUERY_ONLY === 'flights') return void console.log(await measureFlightsTable(client, settings));
    log('progressive: the full-history query answered in slices');
    const progressiveRuns = Math.min(settings.iterations, 10);
    let progressive = formatProgressive('PostgreSQL, the table above', await measureProgressive(bench, progressiveRuns, 1), PROGRESSIVE_TARGET);
    progressive += await measureOnDemo(progressiveRuns);
    if (process.env.BENCH_QUERY_ONLY === 'progressive') return void console.log(progressive);
    const reports: QueryReport[] = [];
    for (const [i, query] of QUERIES.entries()) {
      log(`query ${i + 1}/${QUERIES.length}: ${query.title}`);
      reports.push(await measureQuery(bench, client, query, settings));
    }
    const flights = await measureFlightsTable(client, settings);
    const spread = await backendSpread(settings.url, QUERIES[QUERIES.length - 1]!.direct);
    const { jit, workers } = pgSettings.rows[0]!;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    console.log(
      formatReport({
        server: `PostgreSQL ${table.serverVersion} at ${redactUrl(settings.url)} (jit ${jit}, max_parallel_workers_per_gather ${workers})`,
        table:
          `${table.qualified}: ${table.rows.toLocaleString('en-US')} rows, heap ${mb(table.heapBytes)}, ${mb(table.totalBytes)} with indexes ` +
          `(${table.seeded ? `seeded by this run in ${(table.seedMs / 1000).toFixed(1)} s` : 'existing seed reused'})`,
        gatewayUrl: `${bench.server.url} in this process; queries pass cache: BYPASS and every timed request is checked to reach Postgres`,
        method:
          `${settings.iterations} timed runs per side, interleaved with alternating order, after ${settings.warmup} warm-ups each; ` +
          `Node ${process.version}, ${os.cpus().length} CPUs shared with Postgres; the direct query runs on the gateway's pooled connection ` +
          `(the same backend), because backends differ: query ${QUERIES.length}'s hand-written statement on 4 fresh connections, median ms: ` +
          spread.map((ms) => ms.toFixed(1)).join(', '),
        targetRatio: TARGET_RATIO,
        queries: reports,
      }) + flights + progressive,
    );
  } finally {
    await client.end().catch(() => undefined);
    await bench?.close();
  }
}

/** The second table (benchFlights.ts): its queries as cache misses against the hand-written aggregate. */
async function measureFlightsTable(client: pg.Client, settings: Settings): Promise<string> {
  log('flights: the table whose group estimate is far off');
  await ensureBenchFlights(client, log);
  const flightsGateway = await startFlightsGateway(settings.url);
  try {
    return formatFlights(await measureFlights(flightsGateway, client, settings.flightsIterations, settings.warmup), TARGET_RATIO);
  } finally {
    await flightsGateway.close();
  }
}

/** The same on the demo as `npm start` serves it (PGlite, .data/pg); skipped while a demo holds that directory. */
async function measureOnDemo(runs: number): Promise<string> {
  log('progressive: the same on the embedded demo database (PGlite)');
  let demo: BenchGateway;
  try {
    demo = await startDemoGateway(log);
  } catch (error) {
    if (!(error instanceof DataDirLocked)) throw error;
    log(`  skipped: ${error.message}`);
    return `\nProgressive answers on the embedded demo: skipped (${error.message})\n`;
  }
  try {
    return formatProgressive('the embedded demo (PGlite, .data/pg), as npm start serves it', await measureProgressive(demo, runs, 1), PROGRESSIVE_TARGET);
  } finally {
    await demo.close();
  }
}

async function measureQuery(bench: BenchGateway, client: pg.Client, query: BenchQuery, settings: Settings): Promise<QueryReport> {
  const { plans, errors } = await explainQuery(bench.gateway, query.document);
  if (errors.length > 0) throw new Error(`explain of "${query.title}" failed: ${errors.map((e) => e.message).join('; ')}`);
  if (plans.length !== 1) throw new Error(`"${query.title}" must compile to exactly one source query; it compiled to ${plans.length}`);
  const explained = plans[0]!;
  const dataset = bench.gateway.config.datasets[explained.field]!;
  // The explained plan compiled for its source: what the hot-loop component timings run.
  const compiled = compileFor(bench.gateway.sources.get(dataset.source)!, explained.plan, dataset);
  const body = JSON.stringify({ query: query.document });
  // What the report shows and plans: the statement the gateway sends for this request (with
  // cache: BYPASS, the same statement a miss sends).
  const sent = await captureStatements(bench.gateway, dataset.source, () => bench.post(body));
  if (sent.length !== 1) throw new Error(`"${query.title}" sent ${sent.length} statements to the source; expected 1`);
  const { sql, params } = sent[0]!;

  // On the gateway's own pooled connection: the same Postgres backend as the gateway's requests (bench/sameBackend.ts).
  const onBackend = onGatewayBackend(bench.gateway, dataset.source);
  const runDirect = () => onBackend(query.direct);

  await checkSameAnswer(bench, client, query, body, query.direct, []);
  const sourceCallsBefore = await sourceQueries(bench);
  const timed = await runInterleaved(
    { name: 'gateway', run: async () => dataOrThrow(await bench.post(body), query.title).sales.rows.length },
    { name: 'direct pg', run: async () => (await runDirect()).rows.length },
    {
      iterations: settings.iterations,
      warmup: settings.warmup,
      onIteration: (done, total) => {
        if (done % 10 === 0 || done === total) log(`  ${done} / ${total} iterations`);
      },
    },
  );
  // Every gateway request must have reached Postgres: a cache answering some of them would
  // make the comparison meaningless.
  const calls = (await sourceQueries(bench)) - sourceCallsBefore;
  if (calls !== settings.iterations + settings.warmup) {
    throw new Error(`expected ${settings.iterations + settings.warmup} source queries from the gateway; it made ${calls} (is a cache answering?)`);
  }
  if (timed.rows[0] !== timed.rows[1]) throw new Error(`the gateway returned ${timed.rows[0]} rows, direct pg ${timed.rows[1]}`);

  // Short queries only: for a query of a second the floor is noise, and it would double the run.
  const floor =
    summarize(timed.samples[1]).p50 < FLOOR_BELOW_MS
      ? (log('  timing a bare node:http server running the hand-written statement (the transport floor)'),
        await measureTransportFloor(runDirect, Buffer.from(JSON.stringify(await bench.post(body))), Buffer.from(body), settings.iterations, settings.warmup))
      : null;
  if (settings.traceIterations > 0) log('  tracing where gateway requests spend their time');
  const trace =
    settings.traceIterations > 0
      ? await traceRequests(bench, body, runDirect, { iterations: settings.traceIterations, budgetMs: TRACE_BUDGET_MS })
      : null;
  if (settings.profileIterations > 0) log('  timing the gateway components in hot loops');
  const profile =
    settings.profileIterations > 0
      ? await profileComponents(bench.gateway, query.document, body, compiled, client, settings.profileIterations)
      : null;
  return {
    title: query.title,
    document: query.document,
    sql,
    params,
    pgPlan: `gateway: ${await describePgPlan(client, sql, params)}; hand-written: ${await describePgPlan(client, query.direct, [])}`,
    resultRows: timed.rows[0],
    gateway: summarize(timed.samples[0]),
    direct: summarize(timed.samples[1]),
    paired: summarize(timed.samples[0].map((ms, i) => ms - timed.samples[1][i]!)),
    floor,
    trace,
    profile,
    profileIterations: settings.profileIterations,
  };
}

/** Checks that the gateway and the direct query return the same rows and the same total revenue. */
async function checkSameAnswer(bench: BenchGateway, client: pg.Client, query: BenchQuery, body: string, sql: string, params: readonly unknown[]) {
  const viaGateway: { revenue: number | null }[] = dataOrThrow(await bench.post(body), query.title).sales.rows;
  const direct = (await client.query({ text: sql, values: params as unknown[] })).rows as Record<string, unknown>[];
  const total = (values: unknown[]) => values.reduce<number>((sum, v) => sum + (typeof v === 'number' ? v : 0), 0);
  const a = total(viaGateway.map((r) => r.revenue));
  const b = total(direct.map((r) => r['revenue.sum']));
  if (viaGateway.length !== direct.length || Math.abs(a - b) > 1e-6 * Math.max(1, Math.abs(b))) {
    throw new Error(`"${query.title}": the gateway answered ${viaGateway.length} rows with revenue ${a}, direct pg ${direct.length} rows with ${b}`);
  }
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error(`bench:query failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) console.error(error.stack.split('\n').slice(1).join('\n'));
    process.exitCode = 1;
  },
);
