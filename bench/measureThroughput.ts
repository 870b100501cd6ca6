import type { KeepAliveClient } from './keepAliveClient.ts';

export interface ThroughputTarget {
  readonly name: string;
  readonly client: KeepAliveClient;
  readonly body: Buffer;
  /** The exact response every request must get (checked with one memcmp per response). */
  readonly expected: Buffer;
}

export interface Throughput {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU time of this whole process (server and client, user + system) per request, in µs. */
  readonly cpuMicrosPerRequest: number;
}

/**
 * Closed-loop load: `concurrency` loops, each sending its next request as soon as the
 * previous answer is read, for `durationMs`. Requests in flight at the deadline finish
 * and count. Any answer other than `expected` is an error.
 */
export async function measureThroughput(target: ThroughputTarget, concurrency: number, durationMs: number): Promise<Throughput> {
  let requests = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const { status, body } = await target.client.post('/graphql', target.body);
      if (status !== 200 || !body.equals(target.expected)) {
        throw new Error(`${target.name}: unexpected answer under load (HTTP ${status}): ${body.toString().slice(0, 300)}`);
      }
      requests++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { requests, seconds, perSecond: requests / seconds, cpuMicrosPerRequest: (cpu.user + cpu.system) / requests };
}

export interface ThroughputComparison {
  readonly a: Throughput;
  readonly b: Throughput;
  /** a/b req/s of each adjacent pair of legs: their spread shows how steady the machine was. */
  readonly pairRatios: readonly number[];
}

/**
 * Runs `a` and `b` in alternating short legs (ABBA ABBA ...), `legs` per side of `legMs`
 * each, after an untimed `warmupMs` leg per side, so drift in a shared machine (other
 * processes, turbo, GC) falls on both alike. Returns each side's pooled requests per second.
 */
export async function compareThroughput(
  a: ThroughputTarget,
  b: ThroughputTarget,
  options: { readonly concurrency: number; readonly legs: number; readonly legMs: number; readonly warmupMs: number },
): Promise<ThroughputComparison> {
  await measureThroughput(a, options.concurrency, options.warmupMs);
  await measureThroughput(b, options.concurrency, options.warmupMs);
  const legs: [Throughput[], Throughput[]] = [[], []];
  const pairRatios: number[] = [];
  for (let i = 0; i < options.legs; i++) {
    const order = i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const);
    for (const side of order) legs[side].push(await measureThroughput(side === 0 ? a : b, options.concurrency, options.legMs));
    pairRatios.push(legs[0][i]!.perSecond / legs[1][i]!.perSecond);
  }
  const pool = (ts: readonly Throughput[]): Throughput => {
    const requests = ts.reduce((n, t) => n + t.requests, 0);
    const seconds = ts.reduce((s, t) => s + t.seconds, 0);
    const cpuMicros = ts.reduce((s, t) => s + t.cpuMicrosPerRequest * t.requests, 0);
    return { requests, seconds, perSecond: requests / seconds, cpuMicrosPerRequest: cpuMicros / requests };
  };
  return { a: pool(legs[0]), b: pool(legs[1]), pairRatios };
}
