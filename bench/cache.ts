/**
 * `npm run bench:cache`: what Tributary's result cache buys a dashboard, against a real
 * PostgreSQL server holding the 1,000,000-row demo `sales` table (schema tributary_bench,
 * seeded once by bench/benchSalesTable.ts).
 *
 * 1. A scripted 50-interaction dashboard session (bench/dashboardSession.ts), played over
 *    HTTP against (A) Tributary with its cache on and (B) the same gateway with its cache off
 *    behind Yoga's response cache, each cold at the start: source queries, interactions
 *    answered with no source call, latency. A diagnostic third run (A′) repeats A with
 *    cache.maxCoreRows out of reach, to show what the limit-pushdown decision costs.
 * 2. HIT vs MISS p50 of the heaviest query (whole table by region × month).
 * 3. Requests/s of a cached Tributary query vs a trivial Yoga resolver, same client.
 * 4. A HIT vs a bare Yoga serving the same rows as plain objects, at 13 and at 10,000 rows.
 * 5. The cost of auth on a HIT: one cached dashboard query's p50/p95 without auth, with an
 *    HS256 admin token, a tenant token under a row policy, and RS256 via a local JWKS file.
 * 6. Cached requests/s of the real CLI, `tributary serve --workers 1` vs `--workers 2`, side
 *    by side (bench/measureWorkers.ts), with BENCH_CONCURRENCY sockets and
 *    BENCH_THROUGHPUT_SECONDS per side.
 *
 * Prints a report; exits 0 whether or not the targets are met, non-zero when something failed.
 *
 * Environment: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test),
 * BENCH_HIT_MISS_ITERATIONS (20), BENCH_CONCURRENCY (16), BENCH_THROUGHPUT_SECONDS (5 per side),
 * BENCH_HIT_YOGA_ITERATIONS (30 per size), BENCH_AUTH_ITERATIONS (500 per variant),
 * BENCH_CACHE_PARTS (unset: all; else a comma list of throughput, hityoga, workers: runs only
 * those parts against gateway A and prints only their sections, to iterate on one figure).
 */
import os from 'node:os';
import { useResponseCache } from '@graphql-yoga/plugin-response-cache';
import pg from 'pg';
import { planOfCore } from '../cache/index.ts';
import { compileSql, coreOf } from '../planner/index.ts';
import { explainQuery } from '../server/index.ts';
import { startBenchGateway, type BenchGateway } from './benchGateway.ts';
import { ensureBenchSales } from './benchSalesTable.ts';
import { DASHBOARD_SESSION } from './dashboardSession.ts';
import { firstDifference } from './firstDifference.ts';
import { createKeepAliveClient, type KeepAliveClient } from './keepAliveClient.ts';
import { measureCachedThroughput } from './measureCachedThroughput.ts';
import { measureAuthCost } from './measureAuthCost.ts';
import { measureHitVsMiss } from './measureHitVsMiss.ts';
import { measureWorkers } from './measureWorkers.ts';
import { formatWorkers } from './measureWorkersReport.ts';
import { HIT_SHAPES, measureHitVsYoga, type HitVsYoga } from './measureHitVsYoga.ts';
import { formatAuthCost } from './printAuthCost.ts';
import { formatCacheReport, formatHitVsYoga, formatThroughput } from './printCacheReport.ts';
import { redactUrl } from './redactUrl.ts';
import { runSession, type InteractionResult, type SessionResult } from './runSession.ts';
import { getValidCount, log } from './settings.ts';

const SCHEMA = 'tributary_bench';
const TABLE = 'sales';
const ROWS = 1_000_000;
/** The response cache keeps entries as long as Tributary's default cache ttl (10m). */
const RESPONSE_CACHE_TTL_MS = 10 * 60_000;

/** cache.maxCoreRows of the diagnostic session A′: no source estimate ever exceeds it. */
const DIAGNOSTIC_MAX_CORE_ROWS = 1_000_000_000;

interface Settings {
  readonly url: string;
  readonly hitMissIterations: number;
  readonly concurrency: number;
  readonly throughputSeconds: number;
  readonly authIterations: number;
  readonly hitYogaIterations: number;
  /** Only these parts (throughput, hityoga, workers), or null for the whole bench. */
  readonly parts: ReadonlySet<string> | null;
}

const PARTS = ['throughput', 'hityoga', 'workers'];

function readSettings(env: NodeJS.ProcessEnv): Settings {
  return {
    url: env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
    hitMissIterations: getValidCount(env, 'BENCH_HIT_MISS_ITERATIONS', 20, 1),
    concurrency: getValidCount(env, 'BENCH_CONCURRENCY', 16, 1),
    throughputSeconds: getValidCount(env, 'BENCH_THROUGHPUT_SECONDS', 5, 1),
    authIterations: getValidCount(env, 'BENCH_AUTH_ITERATIONS', 500, 1),
    hitYogaIterations: getValidCount(env, 'BENCH_HIT_YOGA_ITERATIONS', 30, 1),
    parts: partsOf(env.BENCH_CACHE_PARTS),
  };
}

function partsOf(value: string | undefined): ReadonlySet<string> | null {
  if (!value) return null;
  const parts = value.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const unknown = parts.filter((x) => !PARTS.includes(x));
  if (unknown.length > 0 || parts.length === 0) throw new Error(`BENCH_CACHE_PARTS: expected a comma list of ${PARTS.join(', ')}; got ${JSON.stringify(value)}`);
  return new Set(parts);
}


/** Everything opened so far, closed in reverse order however main ends. */
const closers: (() => unknown)[] = [];

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const loadBefore = os.loadavg()[0]!;
  const table = await ensureBenchSales({ url: settings.url, schema: SCHEMA, table: TABLE, rows: ROWS, log });
  await prewarm(settings.url, table.qualified);
  if (settings.parts) return runParts(settings, settings.parts);

  log(`session A: Tributary, cache on (${DASHBOARD_SESSION.length} interactions)`);
  const a = await startBenchGateway(settings.url, `${SCHEMA}.${TABLE}`);
  closers.push(() => a.close());
  const aClient = clientOf(a, settings.concurrency);
  const tributary = await runSession(a.gateway, aClient, DASHBOARD_SESSION, progress);

  // Diagnostic: the same session with estimates never pushing a core down (see the report).
  log(`session A′: Tributary, cache on, maxCoreRows ${DIAGNOSTIC_MAX_CORE_ROWS}`);
  const a2 = await startBenchGateway(settings.url, `${SCHEMA}.${TABLE}`, { maxCoreRows: DIAGNOSTIC_MAX_CORE_ROWS });
  const closeA2 = once(() => a2.close());
  closers.push(closeA2);
  const noPushdown = await runSession(a2.gateway, clientOf(a2, 1), DASHBOARD_SESSION, progress);
  await closeA2();

  log("session B: cache off, Yoga's response cache");
  const b = await startBenchGateway(settings.url, `${SCHEMA}.${TABLE}`, {
    cacheEnabled: false,
    plugins: [useResponseCache({ session: () => null, ttl: RESPONSE_CACHE_TTL_MS })],
  });
  const closeB = once(() => b.close());
  closers.push(closeB);
  const responseCache = await runSession(b.gateway, clientOf(b, 1), DASHBOARD_SESSION, progress);
  await closeB();

  const openingEstimate = await estimateOpeningCore(a);

  log(`HIT vs MISS: ${settings.hitMissIterations} runs each, interleaved`);
  const hitVsMiss = await measureHitVsMiss(aClient, settings.hitMissIterations, 2);
  if (hitVsMiss.sourceQueries !== hitVsMiss.missRuns) {
    throw new Error(`HIT vs MISS: expected ${hitVsMiss.missRuns} source queries (one per MISS run); the gateway made ${hitVsMiss.sourceQueries}`);
  }

  log(`throughput: ${settings.concurrency} in flight, ${settings.throughputSeconds} s per side`);
  const throughput = await measureCachedThroughput(aClient, settings.concurrency, settings.throughputSeconds);

  const hitVsYoga: HitVsYoga[] = [];
  for (const shape of HIT_SHAPES) {
    log(`HIT vs bare Yoga, ${shape.name}: ${settings.hitYogaIterations} runs each, interleaved`);
    hitVsYoga.push(await measureHitVsYoga(aClient, shape, settings.hitYogaIterations, 3));
  }

  log(`auth on a HIT: ${settings.authIterations} runs per variant, rotated`);
  const authCost = await measureAuthCost(settings.url, `${SCHEMA}.${TABLE}`, settings.authIterations, 50);

  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(
    formatCacheReport({
      server: `PostgreSQL ${table.serverVersion} at ${redactUrl(settings.url)}`,
      table:
        `${table.qualified}: ${table.rows.toLocaleString('en-US')} rows, heap ${mb(table.heapBytes)} ` +
        `(${table.seeded ? `seeded by this run in ${(table.seedMs / 1000).toFixed(1)} s` : 'existing seed reused'}); one full scan before the sessions warms the OS cache`,
      method:
        `gateways and client in this process over loopback HTTP (node:http keep-alive); /metrics scraped between requests, outside the timed window; ` +
        `Node ${process.version}, ${os.cpus().length} CPUs shared with Postgres (1-minute load average ${loadBefore.toFixed(2)} at the start, ${os.loadavg()[0]!.toFixed(2)} at the end)`,
      session: DASHBOARD_SESSION,
      tributary,
      noPushdown,
      diagnosticMaxCoreRows: DIAGNOSTIC_MAX_CORE_ROWS,
      openingEstimate: { ...openingEstimate, actualGroups: (noPushdown.interactions[0]!.data as OpeningView).sales.rows.length },
      responseCache,
      responseCacheTtl: `${RESPONSE_CACHE_TTL_MS / 60_000}m`,
      differences: [...differencesBetween('A', tributary, responseCache), ...differencesBetween('A′', noPushdown, responseCache)],
      hitVsMiss,
      throughput,
      hitVsYoga,
    }),
  );
  console.log(formatAuthCost(authCost));

  log('workers: tributary serve --workers 1 vs --workers 2');
  console.log(formatWorkers(await measureWorkers(settings.url, `${SCHEMA}.${TABLE}`, settings.concurrency, settings.throughputSeconds)).join('\n'));
}

/** Only the parts asked for, against a fresh gateway A; prints only their sections. */
async function runParts(settings: Settings, parts: ReadonlySet<string>): Promise<void> {
  const a = await startBenchGateway(settings.url, `${SCHEMA}.${TABLE}`);
  closers.push(() => a.close());
  const aClient = clientOf(a, settings.concurrency);
  const out: string[] = [`bench:cache, parts ${[...parts].join(', ')} only (BENCH_CACHE_PARTS); Node ${process.version}, 1-minute load average ${os.loadavg()[0]!.toFixed(2)}`];
  if (parts.has('throughput')) {
    log(`throughput: ${settings.concurrency} in flight, ${settings.throughputSeconds} s per side`);
    out.push(...formatThroughput(await measureCachedThroughput(aClient, settings.concurrency, settings.throughputSeconds)));
  }
  if (parts.has('hityoga')) {
    const hitVsYoga: HitVsYoga[] = [];
    for (const shape of HIT_SHAPES) {
      log(`HIT vs bare Yoga, ${shape.name}: ${settings.hitYogaIterations} runs each, interleaved`);
      hitVsYoga.push(await measureHitVsYoga(aClient, shape, settings.hitYogaIterations, 3));
    }
    out.push(...formatHitVsYoga(hitVsYoga));
  }
  if (parts.has('workers')) out.push(...formatWorkers(await measureWorkers(settings.url, `${SCHEMA}.${TABLE}`, settings.concurrency, settings.throughputSeconds)));
  console.log(out.join('\n'));
}

/** The data of interaction 1 (rows only). */
interface OpeningView {
  readonly sales: { readonly rows: readonly unknown[] };
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

function clientOf(bench: BenchGateway, sockets: number): KeepAliveClient {
  const client = createKeepAliveClient(new URL(bench.server.url).origin, sockets);
  closers.push(() => client.close());
  return client;
}

/**
 * What the source estimates for the core of the session's first view (the figure the
 * cache compares with maxCoreRows before fetching), asked exactly as the cache asks it.
 */
async function estimateOpeningCore(bench: BenchGateway): Promise<{ estimatedGroups: number | null; maxCoreRows: number }> {
  const { plans, errors } = await explainQuery(bench.gateway, DASHBOARD_SESSION[0]!.document);
  const rows = plans.find((p) => p.role === 'rows');
  if (errors.length > 0 || !rows) throw new Error(`explain of interaction 1 failed: ${errors.map((e) => e.message).join('; ')}`);
  const dataset = bench.gateway.config.datasets[rows.field]!;
  const source = bench.gateway.sources.get(dataset.source)!;
  const estimatedGroups = await source.estimateRows(compileSql(planOfCore(coreOf(rows.plan, false)), dataset, source.dialect));
  return { estimatedGroups, maxCoreRows: bench.gateway.config.cache.maxCoreRows };
}

/** Reads the whole table once so neither session pays for cold OS pages. */
async function prewarm(url: string, qualified: string): Promise<void> {
  log('warming the table: one full scan');
  const client = new pg.Client({ connectionString: url, application_name: 'tributary-bench-prewarm' });
  await client.connect();
  try {
    await client.query(`select count(*), sum(amount), sum(cost), sum(unit_price) from ${qualified}`);
  } finally {
    await client.end();
  }
}

function progress(done: number, result: InteractionResult): void {
  if (done % 10 === 0) log(`  ${done} / ${DASHBOARD_SESSION.length} interactions (last ${result.ms.toFixed(1)} ms)`);
}

/** Interactions whose answer from `a` differs from B's (computed at the source, or a replay of such an answer). */
function differencesBetween(name: string, a: SessionResult, b: SessionResult): string[] {
  return a.interactions.flatMap((x, i) => {
    const difference = firstDifference(x.data, b.interactions[i]!.data);
    return difference ? [`${name} #${i + 1}: ${difference}`] : [];
  });
}

main()
  .then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error(`bench:cache failed: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof Error && error.stack) console.error(error.stack.split('\n').slice(1).join('\n'));
      process.exitCode = 1;
    },
  )
  .finally(async () => {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  });
