/**
 * Issue 11, part 3: `tributary serve --workers N`. The real CLI (bin/tributary.js) serves a
 * config over the real Postgres with 2 workers on one port: requests on new connections
 * are answered by 2 worker processes of the primary; each /metrics is labelled by its
 * worker; graphql-ws and SSE subscriptions over a real Kafka broker deliver on whichever
 * worker accepted them; a worker killed with SIGKILL is restarted while the survivor keeps
 * answering; SIGTERM stops every worker gracefully and leaves no process behind. Bad
 * --workers values and embedded databases on disk are usage errors (exit 2).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRequest, isRunning, parentOf, startCliServer, type Answer, type CliServer } from './support/cliServer.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { connectTestRedis, deletePrefix, TEST_REDIS_URL, uniquePrefix } from './support/redis.ts';
import { BASE_TS, generateEvents, referenceWindows, type TestEvent } from './support/referenceWindows.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { expectFinals, subscribeSse, subscribeWs, waitForFinals, type StreamRecording } from './support/streamClients.ts';
import { waitFor } from './support/waitFor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCHEMA = 'tributary_workers';
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const TOPIC = `workers-orders-${RUN}`;
const HEADER = 'x-tributary-worker';
const QUERY = { query: '{ sales { rows { region revenue orders } } }' };
const SUBSCRIPTION = { query: 'subscription { orders(window: { tumble: "10s" }, emit: FINAL) { start end final revision rows { region revenue orders maxAmount } } }' };
const WATERMARK: TestEvent = { ts: BASE_TS + 600_000, region: 'east', channel: 'web', amount: 1 };

const pg = await connectTestPostgres();
const kafka = pg ? await connectTestKafka() : null;

const CONFIG = (brokers: string | null, l2Prefix: string | null = null) => `
${l2Prefix === null ? '' : `cache: { l2: { redis: "${TEST_REDIS_URL}", prefix: "${l2Prefix}" } }`}
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}", pool: 2 }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
${
  brokers === null
    ? ''
    : `streams:
  orders:
    kafka: { brokers: "${brokers}", topic: "${TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: 2s
    maxSkew: 3650d # event times are in 2030, ahead of the wall clock`
}
`;

/** The worker that answered, from its response header. */
const workerOf = (answer: Answer) => Number(answer.headers[HEADER]);

describe.skipIf(!pg)('serve --workers 2 over the real Postgres', () => {
  let dir: string;
  let cli: CliServer;
  let expected: Record<string, unknown>[];
  const workersSeen = new Set<number>();

  /** Asks QUERY on a new connection; the answer must be the table's. Returns the worker's PID. */
  const ask = async (): Promise<number> => {
    const answer = await freshRequest(cli.url, 'POST', QUERY);
    expect(answer.status).toBe(200);
    expectSameRows((JSON.parse(answer.body) as { data: { sales: { rows: Record<string, unknown>[] } } }).data.sales.rows, expected, 'sales by region');
    const pid = workerOf(answer);
    expect(pid).toBeGreaterThan(0);
    workersSeen.add(pid);
    return pid;
  };

  /** The PIDs of both workers, from answers on new connections (the second may still be starting). */
  const bothWorkers = async (): Promise<[number, number]> => {
    const pids = new Set<number>();
    await waitFor('answers from 2 workers', async () => pids.add(await ask()).size === 2, 90_000, 50).catch((error: Error) => {
      throw new Error(`${error.message}; answered by ${[...pids].join(', ')}; the CLI logged:\n${cli.stderr().slice(-5_000)}`);
    });
    return [...pids] as [number, number];
  };

  /** /metrics of each worker (PID → text), read over new connections until both answered. */
  const scrapeWorkers = async (): Promise<Map<number, string>> => {
    const texts = new Map<number, string>();
    await waitFor('/metrics from both workers', async () => {
      const answer = await freshRequest(cli.url.replace(/\/graphql$/, '/metrics'), 'GET');
      texts.set(workerOf(answer), answer.body);
      return texts.size === 2;
    }, 20_000);
    return texts;
  };

  beforeAll(async () => {
    await pg!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await pg!.query(`create table ${SCHEMA}.sales as select (array['east','north','south','west'])[1 + g % 4] as region, (g % 97) * 1.5 as amount from generate_series(1, 2000) g`);
    const { rows } = await pg!.query(`select region, sum(amount)::float8 as revenue, count(*)::int as orders from ${SCHEMA}.sales group by region order by region`);
    expected = rows;
    if (kafka) await createTopics(testKafkaClient(kafka.brokers), [TOPIC]);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-workers-'));
    await writeFile(path.join(dir, 'tributary.yaml'), CONFIG(kafka?.brokers ?? null));
    cli = await startCliServer(['serve', '-c', path.join(dir, 'tributary.yaml'), '-p', '0', '--workers', '2']);
  });

  afterAll(async () => {
    if (cli && isRunning(cli.child.pid!)) cli.child.kill('SIGKILL');
    for (const pid of workersSeen) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await kafka?.close();
    await pg?.query(`drop schema if exists ${SCHEMA} cascade`);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers from two worker processes of the primary, each with its own labelled /metrics', async () => {
    const pids = new Set(await bothWorkers());
    // Once both serve, requests on new connections go to each in turn.
    for (let i = 0; i < 20; i++) await ask();
    expect(workersSeen).toEqual(pids);
    for (const pid of pids) expect(parentOf(pid)).toBe(cli.child.pid);
    expect(pids.has(cli.child.pid!)).toBe(false);
    // Each /metrics is one worker's: its own answers, its slot as a label.
    const metrics = await scrapeWorkers();
    expect(new Set(metrics.keys())).toEqual(pids);
    const slots = [...metrics.values()].map((text) => /tributary_cache_requests_total\{[^}]*worker="(\d)"/.exec(text)?.[1]).sort();
    expect(slots).toEqual(['1', '2']);
    expect(cli.stderr()).toMatch(/worker 1 \(pid \d+\) is serving on port/);
    expect(cli.stderr()).toMatch(/worker 2 \(pid \d+\) is serving on port/);
  }, 120_000);

  it.skipIf(!kafka)('delivers subscriptions over graphql-ws and SSE on whichever worker accepted them', async () => {
    const open: StreamRecording[] = [];
    try {
      for (let i = 0; i < 4; i++) open.push(subscribeWs(cli.url, 'orders', SUBSCRIPTION));
      for (let i = 0; i < 2; i++) open.push(subscribeSse(cli.url, 'orders', SUBSCRIPTION));
      // Both workers hold subscriptions (each runs its own feed of the topic), 6 in all.
      const subscribers = (text: string) => Number(/^tributary_subscribers\{stream="orders"[^}]*\} (\d+)$/m.exec(text)?.[1] ?? 0);
      await waitFor('6 subscribers spread over both workers', async () => {
        const counts = [...(await scrapeWorkers()).values()].map(subscribers);
        return counts.every((n) => n > 0) && counts.reduce((a, b) => a + b, 0) === 6;
      }, 60_000, 200);

      const producer = testKafkaClient(kafka!.brokers).producer();
      await producer.connect();
      const events = generateEvents(11, 300, { stepMs: 100, jitterMs: 0 });
      try {
        await produceInOrder(producer as Producer, TOPIC, [...events, WATERMARK].map((e) => JSON.stringify(e)), 0);
      } finally {
        await producer.disconnect();
      }
      const want = referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 10_000 }, { graceMs: 2_000, groupBy: ['region'] });
      expect(want.closed.length).toBeGreaterThanOrEqual(3);
      for (const [i, recording] of open.entries()) {
        const label = `subscription ${i + 1} over ${i < 4 ? 'graphql-ws' : 'SSE'}`;
        await waitForFinals(recording, want.closed.length, label);
        expect(recording.errors).toEqual([]);
        expectFinals(recording.finals(), want.closed, label);
      }
    } finally {
      await Promise.all(open.map((r) => r.close()));
    }
  }, 180_000);

  it('restarts a worker killed with SIGKILL while the other keeps answering', async () => {
    const [victim, survivor] = await bothWorkers();
    process.kill(victim, 'SIGKILL');
    await waitFor(`worker ${victim} to be gone`, () => !isRunning(victim));
    await waitFor('the primary to log the death', () => cli.stderr().includes(`(pid ${victim}) died (signal SIGKILL); restarting it in`));
    // Every request is answered, by the survivor until the restarted worker takes its share.
    let answered = 0;
    const restarted: number = await waitFor('a restarted worker to answer', async () => {
      const pid = await ask();
      answered++;
      expect(pid).not.toBe(victim);
      return pid === survivor ? 0 : pid;
    }, 90_000, 100);
    expect(answered).toBeGreaterThan(0);
    expect(parentOf(restarted)).toBe(cli.child.pid);
    expect(cli.stderr()).toContain(`starting worker`);
  }, 180_000);

  it('passes SIGHUP on to every worker, which reloads the file with its own consumer groups; the primary and its workers keep running', async () => {
    const file = path.join(dir, 'tributary.yaml');
    const pids = new Set(await bothWorkers());
    const count = (text: string) => cli.stderr().split(text).length - 1;
    const asked = count('SIGHUP: asking 2 workers to reload the config');
    const died = count(') died (');
    if (kafka) {
      // The file unchanged: each worker applies the stream's mapping. Compared as read, the
      // file's consumer group would differ from the worker's own (-w<slot>) and be refused.
      const applied = count('SIGHUP: stream schema mapping reloaded; open windows kept');
      cli.child.kill('SIGHUP');
      await waitFor('both workers reloaded the stream', () => count('SIGHUP: stream schema mapping reloaded; open windows kept') === applied + 2, 20_000);
      expect(cli.stderr()).not.toMatch(/SIGHUP: stream orders: .* changed/);
    }
    // A file that does not validate changes nothing, in either worker.
    const invalid = count('does not validate; nothing reloaded');
    await writeFile(file, 'sources: [\n');
    try {
      cli.child.kill('SIGHUP');
      await waitFor('both workers refused the invalid file', () => count('does not validate; nothing reloaded') === invalid + 2, 20_000);
    } finally {
      await writeFile(file, CONFIG(kafka?.brokers ?? null));
    }
    expect(count('SIGHUP: asking 2 workers to reload the config')).toBe(asked + (kafka ? 2 : 1));
    // Nobody died of the signal: the same primary and workers answer.
    expect(isRunning(cli.child.pid!)).toBe(true);
    expect(new Set(await bothWorkers())).toEqual(pids);
    expect(count(') died (')).toBe(died);
  }, 120_000);

  it('stops every worker gracefully on SIGTERM, leaving no process behind', async () => {
    const pids = await bothWorkers();
    cli.child.kill('SIGTERM');
    const exit = await Promise.race([cli.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000).unref())]);
    expect(exit).toEqual({ code: 0, signal: null });
    for (const pid of [cli.child.pid!, ...pids]) expect(isRunning(pid), `process ${pid}`).toBe(false);
    // Each worker closed its server and gateway and exited 0 (not killed at the deadline).
    expect(cli.stderr()).toMatch(/worker 1 stopped \(code 0\)/);
    expect(cli.stderr()).toMatch(/worker 2 stopped \(code 0\)/);
    expect(cli.stderr()).not.toContain('killing them');
  }, 120_000);
});

const redis = pg ? await connectTestRedis() : null;

afterAll(async () => {
  await pg?.end();
  redis?.disconnect();
});

describe.skipIf(!pg || !redis)('serve --workers 2 with cache.l2 on the real Redis', () => {
  const prefix = uniquePrefix('workers');
  let dir: string;
  let cli: CliServer;
  const pids = new Set<number>();

  beforeAll(async () => {
    await pg!.query(`drop schema if exists ${SCHEMA}_l2 cascade; create schema ${SCHEMA}_l2`);
    await pg!.query(`create table ${SCHEMA}_l2.sales as select (array['east','west'])[1 + g % 2] as region, g * 1.0 as amount from generate_series(1, 100) g`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-workers-l2-'));
    await writeFile(path.join(dir, 'tributary.yaml'), CONFIG(null, prefix).replace(`${SCHEMA}.sales`, `${SCHEMA}_l2.sales`));
    cli = await startCliServer(['serve', '-c', path.join(dir, 'tributary.yaml'), '-p', '0', '--workers', '2']);
  });

  afterAll(async () => {
    if (cli && isRunning(cli.child.pid!)) cli.child.kill('SIGKILL');
    for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    await pg?.query(`drop schema if exists ${SCHEMA}_l2 cascade`);
    if (redis) await deletePrefix(redis, prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers on the second worker from the core the first stored in Redis, then stops gracefully', async () => {
    const want = [
      { region: 'east', revenue: 2550, orders: 50 },
      { region: 'west', revenue: 2500, orders: 50 },
    ];
    const askOnce = async () => {
      const answer = await freshRequest(cli.url, 'POST', QUERY);
      expect(JSON.parse(answer.body)).toEqual({ data: { sales: { rows: want } } });
      return workerOf(answer);
    };
    /** A counter of one worker's /metrics (summed over its series whose labels contain `labels`), read over new connections. */
    const metricOf = async (pid: number, name: string, labels = '') =>
      waitFor(`/metrics of worker ${pid}`, async () => {
        const answer = await freshRequest(cli.url.replace(/\/graphql$/, '/metrics'), 'GET');
        if (workerOf(answer) !== pid) return null;
        const series = [...answer.body.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].filter((m) => m[1]!.includes(labels));
        return { value: series.reduce((n, m) => n + Number(m[2]), 0) };
      }, 20_000).then((x) => x!.value);
    const first = await askOnce();
    pids.add(first);
    await waitFor('the first worker to store the core in Redis', async () => (await metricOf(first, 'tributary_l2_writes_total', 'result="stored"')) >= 1, 20_000, 100);
    const second = await waitFor('an answer from the other worker', async () => {
      const pid = await askOnce();
      return pid === first ? 0 : pid;
    }, 90_000, 50);
    pids.add(second);
    // One source query in all: the second worker read the core the first stored.
    expect(await metricOf(first, 'tributary_source_queries_total')).toBe(1);
    expect(await metricOf(second, 'tributary_source_queries_total')).toBe(0);
    expect(await metricOf(second, 'tributary_l2_reads_total', 'result="hit"')).toBeGreaterThanOrEqual(1);

    cli.child.kill('SIGTERM');
    const exit = await Promise.race([cli.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 30_000).unref())]);
    expect(exit).toEqual({ code: 0, signal: null });
    for (const pid of [cli.child.pid!, ...pids]) expect(isRunning(pid), `process ${pid}`).toBe(false);
    expect(cli.stderr()).toMatch(/worker 1 stopped \(code 0\)/);
    expect(cli.stderr()).toMatch(/worker 2 stopped \(code 0\)/);
  }, 180_000);
});

describe('serve --workers: usage errors and --workers 1', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-workers-usage-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses --workers values other than a whole number above 0 or auto, with exit code 2', async () => {
    const file = path.join(dir, 'any.yaml');
    await writeFile(file, 'sources: {}\ndatasets: {}\n');
    // Each run loads the whole CLI (seconds on a busy machine): a few telling values, one at a time.
    for (const value of ['0', '1.5', 'two']) {
      const run = await cli(['serve', '-c', file, '--workers', value], 60_000);
      expect(run.stderr.trim()).toBe(`error: option '-w, --workers <n>': expected a whole number above 0 or "auto", got "${value}"`);
      expect(run.code).toBe(2);
    }
  }, 200_000);

  it('refuses an embedded database on disk with more than one worker, before opening it', async () => {
    const file = path.join(dir, 'embedded.yaml');
    const dataDir = path.join(dir, 'pgdata');
    await writeFile(file, `sources:\n  local: { kind: pglite, dataDir: "${dataDir}" }\n  memory: { kind: duckdb }\ndatasets: {}\n`);
    const run = await cli(['serve', '-c', file, '--workers', '2']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `error: --workers 2: source local is an embedded database on disk (PGlite data directory ${dataDir}), which only one process may open; ` +
        '2 worker processes cannot share it. Serve this config with --workers 1, or move the data to a postgres source, which every worker connects to.',
    );
  });

  /** A config over the real Postgres that needs no table. */
  const oneRowConfig = async () => {
    const file = path.join(dir, 'one.yaml');
    await writeFile(file, `sources:\n  warehouse: { kind: postgres, url: "${TEST_PG_URL}", pool: 1 }\ndatasets:\n  one:\n    source: warehouse\n    sql: "select 'a' as k, 2 as v"\n    dimensions: { k: { type: string } }\n    measures: { total: { sum: v } }\n`);
    return file;
  };

  it.skipIf(!pg)('--workers 1 serves in one process, as without the option', async () => {
    const file = await oneRowConfig();
    const server = await startCliServer(['serve', '-c', file, '-p', '0', '--workers', '1']);
    try {
      const answer = await freshRequest(server.url, 'POST', { query: '{ one { rows { k total } } }' });
      expect(JSON.parse(answer.body)).toEqual({ data: { one: { rows: [{ k: 'a', total: 2 }] } } });
      expect(answer.headers[HEADER]).toBeUndefined();
      expect(server.stderr()).not.toContain('starting worker');
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 0, signal: null });
    }
  });

  it.skipIf(!pg)('a port another process holds is a usage error (exit 2) with one worker and with two', async () => {
    const holder = createServer();
    await new Promise<void>((resolve, reject) => {
      holder.once('error', reject);
      holder.listen(0, '0.0.0.0', () => resolve());
    });
    const port = (holder.address() as AddressInfo).port;
    try {
      for (const workers of ['1', '2']) {
        const run = await cli(['serve', '-c', await oneRowConfig(), '-p', String(port), '--workers', workers], 90_000);
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`serve: port ${port} is in use by another process; choose another with --port or PORT`);
      }
    } finally {
      holder.close();
    }
  }, 200_000);

  it.skipIf(!pg)('leaves no worker behind when the primary is killed with SIGKILL', async () => {
    const server = await startCliServer(['serve', '-c', await oneRowConfig(), '-p', '0', '--workers', '2']);
    const pids = new Set<number>();
    try {
      await waitFor('answers from 2 workers', async () => pids.add(workerOf(await freshRequest(server.url.replace(/\/graphql$/, '/healthz'), 'GET'))).size === 2, 90_000, 50);
      server.child.kill('SIGKILL');
      await server.exited;
      // node:cluster ends a worker whose IPC channel to the primary closed.
      await waitFor('the workers to exit after their primary', () => [...pids].every((pid) => !isRunning(pid)), 20_000);
    } finally {
      server.child.kill('SIGKILL');
      for (const pid of pids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    }
  }, 150_000);
});

/** Runs the CLI to completion within a deadline. */
function cli(args: readonly string[], deadlineMs = 45_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tributary.js'), ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.stdout.resume();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tributary ${args.join(' ')}: no exit within ${deadlineMs} ms\nstderr: ${stderr}`));
    }, deadlineMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}
