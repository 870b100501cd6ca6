import type { BenchKafka } from './benchKafka.ts';
import { summarizeLatencies, type LatencySummary } from './freshness.ts';
import type { LoadProcess } from './loadProcess.ts';
import { sleep, waitUntil } from './orderEvents.ts';
import { probeProcess, settledMemory, type ProcessLoad } from './processProbe.ts';
import { startStreamGateway, STREAM } from './streamGateway.ts';
import { VERSION_FIELDS, type SubscriptionRecording } from './subscriptionClients.ts';

export interface FanOutOptions {
  readonly subscribers: number;
  /** Sockets the subscribers share; subscribers / connections subscriptions each. */
  readonly connections: number;
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
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
  /**
   * Per final window at every subscriber: its arrival minus the send time of the event that
   * closed it (the first event at or past end + grace). Windows closed by the watermark
   * (whose send time is not recorded) and those of the warm-up are left out.
   */
  readonly closeToDelivery: LatencySummary;
  /** The same per subscriber: the worst subscriber's p99. */
  readonly worstSubscriberP99Ms: number;
  /** Windows in closeToDelivery, per subscriber. */
  readonly timedWindows: number;
  /** Per closed window: last minus first arrival of its final version across subscribers. */
  readonly finalSpread: LatencySummary;
  readonly finalWindows: number;
  readonly distinctFinals: number;
  readonly gateway: ProcessLoad;
  readonly clientLoopDelayP99Ms: number;
}

/** The stream's grace (bench/streamGateway.ts) and the window size of the fan-out query. */
const GRACE_MS = 1_000;
const WINDOW_MS = 1_000;

/**
 * Many subscribers of one FINAL plan: a reference subscription first (it starts the feed and
 * the shared operator), then `subscribers` more of the same query, measured for gateway
 * memory; then a producer sends orders for `seconds` plus a watermark that closes every
 * window. Every subscription must receive every final window, all equal; the figure is how
 * long each final window took from the produce of the event that closed it to each subscriber.
 */
export async function measureFanOut(kafka: BenchKafka, producer: LoadProcess, clients: LoadProcess, topic: string, options: FanOutOptions): Promise<FanOutResult> {
  const { subscribers, connections } = options;
  if (subscribers % connections !== 0) throw new Error(`BENCH_FANOUT_SUBSCRIBERS (${subscribers}) must be a multiple of BENCH_FANOUT_CONNECTIONS (${connections})`);
  const query = `subscription { ${STREAM}(window: { tumble: "1s" }, emit: FINAL) { start end final revision rows { region orders revenue maxSent } } }`;
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
    const closers = closingSends(produced.sentAt, produced.sentAt[0]! + options.warmupSeconds * 1000);
    const all: number[] = [];
    let worstSubscriberP99Ms = 0;
    for (const r of recordings) {
      const mine = closeLatencies(r, closers);
      all.push(...mine);
      if (mine.length > 0) worstSubscriberP99Ms = Math.max(worstSubscriberP99Ms, summarizeLatencies(mine).p99);
    }
    return {
      options,
      query,
      connectMs,
      sent: produced.sentAt.length,
      achievedRate: produced.sentAt.length / produced.seconds,
      bytesPerSubscriber: (after.heapAndExternal - before.heapAndExternal) / subscribers,
      rssPerSubscriber: (after.rss - before.rss) / subscribers,
      gcAvailable: after.gc,
      closeToDelivery: summarizeLatencies(all),
      worstSubscriberP99Ms,
      timedWindows: closers.size,
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

/**
 * Window start -> send time of the event that closed it, for windows starting at or after
 * `fromMs` that a paced event closed: event time equals send time and events go out in
 * order, so it is the first event at or past end + grace.
 */
function closingSends(sentAt: Float64Array, fromMs: number): Map<number, number> {
  const closers = new Map<number, number>();
  let i = 0;
  for (let start = Math.floor(fromMs / WINDOW_MS) * WINDOW_MS; ; start += WINDOW_MS) {
    if (start < fromMs) continue;
    while (i < sentAt.length && sentAt[i]! < start + WINDOW_MS + GRACE_MS) i++;
    if (i >= sentAt.length) return closers;
    closers.set(start, sentAt[i]!);
  }
}

/** Arrival of each timed final window at one subscription minus the send time of its closing event. */
function closeLatencies(r: SubscriptionRecording, closers: ReadonlyMap<number, number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < r.versions.length; i += VERSION_FIELDS) {
    if (r.versions[i + 3] !== 1) continue;
    const closedAt = closers.get(r.versions[i]!);
    if (closedAt !== undefined) out.push(r.versions[i + 2]! - closedAt);
  }
  return out;
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
