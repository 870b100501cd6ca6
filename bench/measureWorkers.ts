import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freshRequest, startCliServer, type CliServer } from '../test/support/cliServer.ts';
import { BENCH_CONFIG, dataOrThrow, type GraphQLResponse } from './benchGateway.ts';
import { createKeepAliveClient, graphqlBody, type KeepAliveClient } from './keepAliveClient.ts';
import { CACHED_QUERY } from './measureCachedThroughput.ts';
import { measureThroughput, type Throughput, type ThroughputTarget } from './measureThroughput.ts';
import { log } from './settings.ts';

/** One `tributary serve --workers N` measured. */
export interface WorkersSide {
  readonly workers: number;
  /** cpuMicrosPerRequest there is the client's: this process, which drives the load. */
  readonly throughput: Throughput;
  /** CPU time of the server's processes (primary and workers, user + system) per request, µs. */
  readonly serverCpuMicrosPerRequest: number;
}

export interface WorkersComparison {
  readonly query: string;
  readonly resultBytes: number;
  readonly concurrency: number;
  readonly one: WorkersSide;
  readonly two: WorkersSide;
  /** two/one req/s of each adjacent pair of legs. */
  readonly pairRatios: readonly number[];
}

const HEADER = 'x-tributary-worker';

/**
 * Cached requests/s of the real CLI, `tributary serve --workers 1` against `--workers 2`,
 * over the bench's table and config (bench/benchGateway.ts). Both servers run side by side
 * (the idle one costs nothing) and are driven by the same keep-alive client from this
 * process in alternating legs (ABBA), `concurrency` sockets each: with 2 workers, node:cluster
 * hands the sockets to the workers in turn. Before the legs, CACHED_QUERY is made a HIT on
 * every worker (each has its own L1 cache); every timed answer must equal the first, and
 * each worker's /metrics must show only HITs and no source query afterwards.
 */
export async function measureWorkers(pgUrl: string, table: string, concurrency: number, secondsPerSide: number): Promise<WorkersComparison> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tributary-bench-workers-'));
  const servers: CliServer[] = [];
  const clients: KeepAliveClient[] = [];
  try {
    const file = path.join(dir, 'tributary.yaml');
    await writeFile(file, `cache: { enabled: true }\n${BENCH_CONFIG}`);
    const env = { BENCH_PG_URL: pgUrl, BENCH_TABLE: table, LOG_LEVEL: 'warn' };
    for (const workers of [1, 2]) {
      log(`workers: starting tributary serve --workers ${workers}`);
      servers.push(await startCliServer(['serve', '-c', file, '--workers', String(workers)], { env }));
    }
    const pids = await Promise.all(servers.map((s, i) => warmEveryWorker(s, i + 1)));
    const body = graphqlBody(CACHED_QUERY);
    const targets = servers.map((s, i) => {
      const client = createKeepAliveClient(new URL(s.url).origin, concurrency);
      clients.push(client);
      return { name: `--workers ${i + 1}`, client, body };
    });
    const expected = await Promise.all(targets.map(async (t) => (await t.client.post('/graphql', body)).body));
    if (!expected[0]!.equals(expected[1]!)) throw new Error('workers: --workers 1 and --workers 2 answer the cached query differently');

    const before = await Promise.all(servers.map((s, i) => scrapeWorkers(s, pids[i]!)));
    log(`workers: ${concurrency} in flight, ${secondsPerSide} s per side, alternating legs`);
    const sides = targets.map((t, i) => ({ ...t, expected: expected[i]!, pids: pids[i]! }));
    const legs = await alternateLegs(sides, concurrency, secondsPerSide * 2);
    const after = await Promise.all(servers.map((s, i) => scrapeWorkers(s, pids[i]!)));
    servers.forEach((_, i) => checkOnlyHits(before[i]!, after[i]!, `--workers ${i + 1}`));
    return { query: CACHED_QUERY, resultBytes: expected[0]!.length, concurrency, one: legs.sides[0]!, two: legs.sides[1]!, pairRatios: legs.pairRatios };
  } finally {
    for (const client of clients) client.close();
    for (const server of servers) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Legs of 500 ms in the order ABBA BAAB..., `legs` per side after an untimed 1 s leg each,
 * so drift on the shared machine falls on both alike; each side's requests and its server's
 * CPU are pooled over its legs. pairRatios: B/A req/s of each pair of adjacent legs.
 */
async function alternateLegs(
  sides: readonly (ThroughputTarget & { readonly pids: readonly number[] })[],
  concurrency: number,
  legs: number,
): Promise<{ readonly sides: WorkersSide[]; readonly pairRatios: number[] }> {
  for (const side of sides) await measureThroughput(side, concurrency, 1000);
  const runs = sides.map(() => ({ requests: 0, seconds: 0, clientCpu: 0, serverCpu: 0, perLeg: [] as number[] }));
  for (let i = 0; i < legs; i++) {
    for (const s of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const cpu = cpuMicros(sides[s]!.pids);
      const t = await measureThroughput(sides[s]!, concurrency, 500);
      const run = runs[s]!;
      run.serverCpu += cpuMicros(sides[s]!.pids) - cpu;
      run.requests += t.requests;
      run.seconds += t.seconds;
      run.clientCpu += t.cpuMicrosPerRequest * t.requests;
      run.perLeg.push(t.perSecond);
    }
  }
  return {
    sides: runs.map((r, i) => ({
      workers: i + 1,
      throughput: { requests: r.requests, seconds: r.seconds, perSecond: r.requests / r.seconds, cpuMicrosPerRequest: r.clientCpu / r.requests },
      serverCpuMicrosPerRequest: r.serverCpu / r.requests,
    })),
    pairRatios: runs[1]!.perLeg.map((x, i) => x / runs[0]!.perLeg[i]!),
  };
}

/**
 * Stores CACHED_QUERY's own core on every worker (`cache: REFRESH`, on new connections until
 * `workers` different processes answered). Returns the server's PIDs: primary first.
 */
async function warmEveryWorker(server: CliServer, workers: number): Promise<number[]> {
  const seen = new Set<number>();
  const refresh = { query: CACHED_QUERY.replace('sales(', 'sales(cache: REFRESH, ') };
  for (let i = 0; seen.size < workers; i++) {
    if (i === 20 * workers) throw new Error(`workers: ${workers} workers should answer; ${seen.size} did in ${i} requests`);
    const answer = await freshRequest(server.url, 'POST', refresh, 120_000);
    dataOrThrow(JSON.parse(answer.body) as GraphQLResponse, 'workers: cache: REFRESH');
    seen.add(Number(answer.headers[HEADER] ?? server.child.pid));
  }
  return [server.child.pid!, ...[...seen].filter((pid) => pid !== server.child.pid)];
}

interface Counters {
  readonly sourceQueries: number;
  readonly outcomes: Readonly<Record<string, number>>;
}

/** Each worker's counters (PID → counters), from /metrics on new connections until every worker answered. */
async function scrapeWorkers(server: CliServer, pids: readonly number[]): Promise<Map<number, Counters>> {
  const workers = pids.length === 1 ? pids : pids.slice(1);
  const found = new Map<number, Counters>();
  for (let i = 0; found.size < workers.length; i++) {
    if (i === 20 * workers.length) throw new Error(`workers: /metrics answered by ${found.size} of ${workers.length} workers`);
    const answer = await freshRequest(server.url.replace(/\/graphql$/, '/metrics'), 'GET');
    found.set(Number(answer.headers[HEADER] ?? server.child.pid), countersOf(answer.body));
  }
  return found;
}

function countersOf(text: string): Counters {
  const outcomes: Record<string, number> = {};
  let sourceQueries = 0;
  for (const match of text.matchAll(/^(tributary_source_queries_total|tributary_cache_requests_total)\{([^}]*)\} (\S+)$/gm)) {
    if (match[1] === 'tributary_source_queries_total') sourceQueries += Number(match[3]);
    else {
      const outcome = /outcome="([^"]*)"/.exec(match[2]!)?.[1] ?? '';
      outcomes[outcome] = (outcomes[outcome] ?? 0) + Number(match[3]);
    }
  }
  return { sourceQueries, outcomes };
}

function checkOnlyHits(before: Map<number, Counters>, after: Map<number, Counters>, what: string): void {
  for (const [pid, a] of after) {
    const b = before.get(pid);
    if (!b) throw new Error(`${what}: worker ${pid} was not there before the legs (restarted?)`);
    const grew = Object.entries(a.outcomes).filter(([outcome, n]) => outcome !== 'HIT' && n !== (b.outcomes[outcome] ?? 0));
    if (a.sourceQueries !== b.sourceQueries || grew.length > 0) {
      throw new Error(`${what}: worker ${pid} answered other than HIT during the legs: ${JSON.stringify(grew)}, ${a.sourceQueries - b.sourceQueries} source queries`);
    }
  }
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU of these processes so far, µs (Linux /proc). */
function cpuMicros(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  }
  return (ticks / CLOCK_TICKS) * 1e6;
}
