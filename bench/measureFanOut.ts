import type { BenchKafka } from './benchKafka.ts';
import { eventLatencies, summarizeLatencies, versionLatencies, type LatencySummary } from './freshness.ts';
import type { LoadProcess } from './loadProcess.ts';
import { sleep, waitUntil } from './orderEvents.ts';
import { probeProcess, settledMemory, type ProcessLoad } from './processProbe.ts';
import { startStreamGateway, STREAM, windowSubscription } from './streamGateway.ts';
import { VERSION_FIELDS, type SubscriptionRecording } from './subscriptionClients.ts';

export interface FanOutOptions {
  readonly subscribers: number;
  /** Sockets the subscribers share; subscribers / connections subscriptions each. */
  readonly connections: number;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly throttleMs: number;
}

export interface FanOutResult {
  readonly options: FanOutOptions;
  readonly query: string;
  readonly connectMs: number;
  readonly sent: number;
  readonly achievedRate: number;
  /** Gateway heapUsed + external (after GC) grown by the subscribers, per subscriber; rss likewise. */
  readonly bytesPerSubscriber: number;
  readonly rssPerSubscriber: number;
  readonly gcAvailable: boolean;
  /** Arrival − maxSent of every non-final version at every subscriber (the throttle wait is not in it). */
  readonly delivery: LatencySummary;
  /** Per event, as in measureLatency, over `sampled` subscriptions spread evenly (the throttle wait is in it). */
  readonly perEvent: LatencySummary;
  readonly sampled: number;
  /** Window versions received per subscription (conflated by the throttle, more so when the gateway falls behind). */
  readonly versionsPerSubscriber: { readonly mean: number; readonly min: number };
  /** Per closed window: last minus first arrival of its final version across subscribers. */
  readonly finalSpread: LatencySummary;
  readonly finalWindows: number;
  readonly distinctFinals: number;
  readonly gateway: ProcessLoad;
  readonly clientLoopDelayP99Ms: number;
}

/** Subscriptions whose per-event latencies are computed (each costs a pass over all sent events). */
const SAMPLED_SUBSCRIPTIONS = 100;

/**
 * Many subscribers of one plan: a reference subscription first (it starts the feed and the
 * shared operator), then `subscribers` more of the same query, measured for gateway memory;
 * then a producer sends orders for `seconds` plus a watermark that closes every window.
 * Every subscription must receive the same final windows.
 */
export async function measureFanOut(kafka: BenchKafka, producer: LoadProcess, clients: LoadProcess, topic: string, options: FanOutOptions): Promise<FanOutResult> {
  const { subscribers, connections } = options;
  if (subscribers % connections !== 0) throw new Error(`BENCH_FANOUT_SUBSCRIBERS (${subscribers}) must be a multiple of BENCH_FANOUT_CONNECTIONS (${connections})`);
  const query = windowSubscription({ tumble: '1s', throttle: `${options.throttleMs}ms`, rows: 'region orders revenue maxSent' });
  const gw = await startStreamGateway(kafka.brokers, topic);
  try {
    const subscribe = (n: number, perConnection: number) =>
      clients.call({ kind: 'subscribe', url: gw.server.url, field: STREAM, query, connections: n, perConnection });
    await subscribe(1, 1);
    await waitUntil('the reference subscriber to be registered', async () => (await gw.subscribers()) === 1, 30_000);
    await sleep(300);
    const before = settledMemory();
    const { connectMs } = await subscribe(connections, subscribers / connections);
    await waitUntil(`${subscribers} more subscribers to be registered`, async () => (await gw.subscribers()) === subscribers + 1, 180_000, 100);
    await sleep(500);
    const after = settledMemory();

    const probe = probeProcess();
    const produced = await producer.call({
      kind: 'produce',
      brokers: kafka.brokers,
      topic,
      ratePerSecond: options.ratePerSecond,
      durationMs: options.seconds * 1000,
      tickMs: 10,
      firstIndex: 0,
      watermarkAfterMs: 3_000, // past the last window's end + grace (1s + 1s)
    });
    const windows = new Set(Array.from(produced.sentAt, (s) => Math.floor(s / 1000))).size;
    await waitUntil('the gateway to count every event', async () => (await gw.events()) >= produced.sentAt.length + 1, 30_000);
    await clients.call({ kind: 'waitFinals', count: windows, timeoutMs: 120_000 });
    const gateway = probe.stop();
    const { recordings, clientLoopDelayMs } = await clients.call({ kind: 'collect' });
    await clients.call({ kind: 'closeSubscriptions' });

    const errors = recordings.flatMap((r) => r.errors);
    if (errors.length > 0) throw new Error(`${errors.length} subscription errors, e.g. ${errors.slice(0, 3).join('; ')}`);
    const wrongCount = recordings.filter((r) => r.finals !== windows).length;
    if (wrongCount > 0) throw new Error(`${wrongCount} subscriptions did not receive exactly ${windows} final windows`);
    const from = produced.sentAt[0]! + options.warmupSeconds * 1000;
    const delivery: number[] = [];
    for (const r of recordings) versionLatencies(r.versions, from, delivery);
    const every = Math.max(1, Math.floor(recordings.length / SAMPLED_SUBSCRIPTIONS));
    const sample = recordings.filter((_, i) => i % every === 0);
    const perEvent = sample.flatMap((r) => eventLatencies(produced.sentAt, r.versions, 1000, from).latencies);
    const versionCounts = recordings.map((r) => r.versions.length / VERSION_FIELDS);
    return {
      options,
      query,
      connectMs,
      sent: produced.sentAt.length,
      achievedRate: produced.sentAt.length / produced.seconds,
      bytesPerSubscriber: (after.heapAndExternal - before.heapAndExternal) / subscribers,
      rssPerSubscriber: (after.rss - before.rss) / subscribers,
      gcAvailable: after.gc,
      delivery: summarizeLatencies(delivery),
      perEvent: summarizeLatencies(perEvent),
      sampled: sample.length,
      versionsPerSubscriber: { mean: versionCounts.reduce((a, b) => a + b, 0) / versionCounts.length, min: Math.min(...versionCounts) },
      finalSpread: summarizeLatencies(finalSpreads(recordings)),
      finalWindows: windows,
      distinctFinals: new Set(recordings.map((r) => r.finalsDigest)).size,
      gateway,
      clientLoopDelayP99Ms: clientLoopDelayMs.p99,
    };
  } finally {
    await gw.close();
  }
}

/** For each window: the latest minus the earliest arrival of its final version across subscriptions. */
function finalSpreads(recordings: readonly SubscriptionRecording[]): number[] {
  const range = new Map<number, { min: number; max: number }>();
  for (const r of recordings) {
    for (let i = 0; i < r.versions.length; i += VERSION_FIELDS) {
      if (r.versions[i + 3] !== 1) continue;
      const [start, receivedAt] = [r.versions[i]!, r.versions[i + 2]!];
      const seen = range.get(start);
      if (!seen) range.set(start, { min: receivedAt, max: receivedAt });
      else [seen.min, seen.max] = [Math.min(seen.min, receivedAt), Math.max(seen.max, receivedAt)];
    }
  }
  return [...range.values()].map((r) => r.max - r.min);
}
