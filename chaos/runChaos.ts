import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { startBroker } from '../kafka/broker.mjs';
import { startProducer } from './chaosProducer.ts';
import { startQueryLoad, type QueryTally } from './queryLoad.ts';
import { readValidTotals } from './readValidTotals.ts';
import { startSubscribers } from './subscribers.ts';

export interface ChaosOptions {
  readonly seconds: number;
  readonly pgUrl: string;
  readonly log: (line: string) => void;
}

export interface ChaosReport {
  readonly seconds: number;
  readonly gatewayExited: string | null;
  readonly queries: QueryTally;
  readonly subscriptions: { readonly versions: number; readonly errors: number; readonly resubscribes: number };
  readonly faults: { readonly terminatedBackends: number; readonly brokerRestarts: number };
  /** Per broker restart: ms from the broker being back to the next window delivered (null: killed again first). */
  readonly streamRecoveryMs: readonly (number | null)[];
  readonly produced: { readonly sent: number; readonly acked: number; readonly failedSends: number };
  readonly topic: { readonly valid: number; readonly validAmount: number; readonly malformed: number; readonly farFuture: number };
  readonly landed: { readonly count: number; readonly amount: number; readonly windows: number };
  /** Heap used after a full GC, sampled every 10 s: [seconds since start, MB]. */
  readonly heap: readonly (readonly [number, number])[];
  readonly problems: readonly string[];
}

/** The chaos gateway's backends carry this name, so only they are terminated. */
const APP_NAME = `tributary_chaos_${process.pid}`;
const LANDING_WINDOW_MS = 2_000;
/** How soon after the broker is back subscriptions must deliver again (a rejoin takes up to a session timeout, 10 s). */
const RECOVERY_MS = 25_000;
const GRACE_MS = 1_000;
const MAX_SKEW_MS = 60_000;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Mixed queries and subscriptions against a gateway in its own process while Postgres
 * connections are terminated every 3 s, the Kafka broker is killed and restarted twice,
 * and the producer sends 1% malformed and 0.1% far-future events. Then the books: every
 * query answered or failed with a code, the gateway never exited, the landed totals equal
 * the valid events in the topic exactly once, and the heap after GC stayed flat.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const { log } = options;
  const schema = `tributary_chaos_${process.pid}`;
  const dir = await mkdtemp(path.join(tmpdir(), 'tributary-chaos-'));
  const admin = new pg.Client({ connectionString: options.pgUrl });
  await admin.connect();
  const cleanups: (() => Promise<unknown>)[] = [async () => rm(dir, { recursive: true, force: true }), async () => admin.end()];
  const problems: string[] = [];
  try {
    log('creating the sales table and starting a Kafka broker...');
    await admin.query(`drop schema if exists ${schema} cascade; create schema ${schema};
      create table ${schema}.sales as select (array['North','South','East','West'])[1 + i % 4] as region, (i % 500)::float8 as amount, i % 7 as channel
      from generate_series(1, 200000) as i`);
    cleanups.unshift(async () => admin.query(`drop schema if exists ${schema} cascade`));
    const broker = await startBroker({ log: () => {} });
    cleanups.unshift(() => broker.stop());
    const kafka = new Kafka({ clientId: 'tributary-chaos', brokers: [broker.brokers], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 200 } });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: [{ topic: 'chaos.orders', numPartitions: 1 }, { topic: 'chaos.orders.dlq', numPartitions: 1 }], waitForLeaders: true });
    await kafkaAdmin.disconnect();

    const configFile = path.join(dir, 'tributary.yaml');
    await writeFile(configFile, chaosConfig(options.pgUrl, schema, broker.brokers));
    const gateway = await startGatewayProcess(configFile);
    cleanups.unshift(() => gateway.stop());
    log(`gateway serving at ${gateway.url}; ${options.seconds} s of chaos begins`);

    const started = Date.now();
    const elapsed = () => Math.round((Date.now() - started) / 1000);
    const random = mulberry32(42);
    const producer = startProducer(kafka, 'chaos.orders', 200, { malformed: 0.01, farFuture: 0.001 }, random);
    const queries = startQueryLoad(gateway.url, 4, random);
    const subscribers = startSubscribers(gateway.url, 2);
    const heap: [number, number][] = [];
    let terminatedBackends = 0;
    let brokerRestarts = 0;

    const until = started + options.seconds * 1000;
    const killAt = [started + options.seconds * 200, started + options.seconds * 500];
    /**
     * After each restart: when the broker was back, the versions delivered by then, and how
     * long until the next one arrived (null while waiting; undefined if killed again first).
     * Streams must go on: the consumer rejoins its group, which can take a session timeout.
     */
    const restarts: { backAt: number; versions: number; recoveredMs: number | null | undefined }[] = [];
    const waitingForRecovery = () => restarts.some((r) => r.recoveredMs === null);
    let nextTerminate = started + 3_000;
    let nextHeap = started + 10_000;
    // The run ends at `until`, or up to RECOVERY_MS later while a stream has not resumed after the last restart.
    while ((Date.now() < until || (waitingForRecovery() && Date.now() < until + RECOVERY_MS)) && gateway.exited() === null) {
      const now = Date.now();
      for (const r of restarts) if (r.recoveredMs === null && subscribers.tally.versions > r.versions) r.recoveredMs = now - r.backAt;
      if (now >= nextTerminate) {
        nextTerminate = now + 3_000;
        const { rowCount } = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = '${APP_NAME}'`);
        terminatedBackends += rowCount ?? 0;
      }
      if (killAt.length > 0 && now >= killAt[0]!) {
        killAt.shift();
        for (const r of restarts) if (r.recoveredMs === null) r.recoveredMs = undefined;
        log(`${elapsed()} s: killing the Kafka broker (SIGKILL) and restarting it`);
        await broker.kill();
        await broker.restart();
        brokerRestarts++;
        restarts.push({ backAt: Date.now(), versions: subscribers.tally.versions, recoveredMs: null });
        log(`${elapsed()} s: broker back`);
      }
      if (now >= nextHeap) {
        nextHeap = now + 10_000;
        const used = await gateway.heapAfterGc().catch(() => null);
        if (used !== null) heap.push([elapsed(), Math.round((used / 2 ** 20) * 10) / 10]);
        log(`${elapsed()} s: heap after GC ${heap.at(-1)![1]} MB; queries ${JSON.stringify(queries.tally.outcomes)}; subscription versions ${subscribers.tally.versions}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await queries.stop();
    await subscribers.stop();
    await producer.stop();

    // Close every window: one valid event past the last window's end + grace.
    const watermark = Date.now() + 2 * LANDING_WINDOW_MS + GRACE_MS + 1_000;
    const cutoff = Math.floor(watermark / LANDING_WINDOW_MS) * LANDING_WINDOW_MS;
    const p = kafka.producer();
    await p.connect();
    await p.send({ topic: 'chaos.orders', acks: -1, messages: [{ value: JSON.stringify({ ts: watermark, region: 'North', amount: 0 }) }] });
    await p.disconnect();
    const topic = await readValidTotals(kafka, 'chaos.orders', cutoff, MAX_SKEW_MS);
    const landed = await waitForLanding(admin, schema, cutoff, topic.count, 60_000);
    if (gateway.exited() !== null) problems.push(`the gateway exited: ${gateway.exited()}`);
    if (queries.tally.bad.length > 0) problems.push(`${queries.tally.bad.length} queries neither answered nor failed with a code, e.g. ${queries.tally.bad.slice(0, 3).join(' | ')}`);
    if (landed.count !== topic.count || Math.abs(landed.amount - topic.amount) > 1e-6) {
      problems.push(`landed ${landed.count} events (amount ${landed.amount}) but the topic holds ${topic.count} valid ones (amount ${topic.amount}) before the cutoff`);
    }
    restarts.forEach((r, i) => {
      if (r.recoveredMs === null) problems.push(`subscriptions received no window in the ${RECOVERY_MS / 1000} s after broker restart ${i + 1}`);
      else if (r.recoveredMs !== undefined && r.recoveredMs > RECOVERY_MS) problems.push(`subscriptions resumed ${r.recoveredMs} ms after broker restart ${i + 1}`);
    });
    if (restarts.length > 0 && restarts.every((r) => r.recoveredMs === undefined)) problems.push('no restart was followed by a window before the next kill');
    if (heap.length >= 2) {
      const [first, last] = [heap[0]![1], heap.at(-1)![1]];
      if (last > first * 1.2) problems.push(`heap after GC grew from ${first} MB to ${last} MB (more than 20%)`);
    }
    return {
      seconds: options.seconds,
      gatewayExited: gateway.exited(),
      queries: queries.tally,
      subscriptions: { ...subscribers.tally },
      faults: { terminatedBackends, brokerRestarts },
      streamRecoveryMs: restarts.map((r) => r.recoveredMs ?? null),
      produced: { ...producer.stats },
      topic: { valid: topic.count, validAmount: topic.amount, malformed: topic.malformed, farFuture: topic.farFuture },
      landed,
      heap,
      problems,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  }
}

/** A small seeded generator, so two runs spoil the same events. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function chaosConfig(pgUrl: string, schema: string, brokers: string): string {
  return `
server: { port: 0, graphiql: false }
sources:
  wh: { kind: postgres, url: "${pgUrl}${pgUrl.includes('?') ? '&' : '?'}application_name=${APP_NAME}", pool: 6, statementTimeout: 10s }
datasets:
  sales:
    source: wh
    table: ${schema}.sales
    dimensions: { region: { type: string }, channel: { type: number } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
streams:
  orders:
    kafka: { brokers: "${brokers}", topic: chaos.orders }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    grace: ${GRACE_MS}ms
    retention: 1m    # bounded replay buffer: full after a minute, so the heap is flat from then on
    deadLetterTopic: chaos.orders.dlq
    landing: { source: wh, table: ${schema}.orders_landed, window: ${LANDING_WINDOW_MS}ms }
`;
}

/** Waits until the landed totals before `cutoff` reach `expected` events (or the deadline), then reads them. */
async function waitForLanding(client: pg.Client, schema: string, cutoff: number, expected: number, deadlineMs: number) {
  const read = async () => {
    const { rows } = await client.query(
      `select coalesce(sum(orders_count), 0)::float8 as count, coalesce(sum(revenue_sum), 0)::float8 as amount, count(*)::int as windows
       from ${schema}.orders_landed where window_start < $1`,
      [new Date(cutoff).toISOString()],
    );
    return rows[0] as { count: number; amount: number; windows: number };
  };
  const deadline = Date.now() + deadlineMs;
  let landed = await read().catch(() => ({ count: 0, amount: 0, windows: 0 }));
  while (landed.count < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    landed = await read().catch(() => landed);
  }
  return landed;
}

interface GatewayProcess {
  readonly url: string;
  exited(): string | null;
  heapAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

async function startGatewayProcess(configFile: string): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(ROOT, 'chaos', 'chaosGateway.ts'), configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
  });
  let exited: string | null = null;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr = (stderr + chunk.toString()).slice(-4_000)));
  child.on('exit', (code, signal) => void (exited = `code ${code} signal ${signal}; last stderr: ${stderr.slice(-1_000)}`));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start within 60 s: ${stderr}`)), 60_000);
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /READY (\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the gateway exited while starting: ${stderr}`));
    });
  });
  return {
    url,
    exited: () => exited,
    heapAfterGc: () =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no heap answer within 10 s')), 10_000);
        child.once('message', (m: { heapUsed: number }) => {
          clearTimeout(timer);
          resolve(m.heapUsed);
        });
        child.send({ type: 'heap' });
      }),
    stop: async () => {
      if (exited !== null) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
