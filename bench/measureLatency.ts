import type { BenchKafka } from './benchKafka.ts';
import { eventLatencies, summarizeLatencies, versionLatencies, type LatencySummary } from './freshness.ts';
import type { LoadProcess } from './loadProcess.ts';
import { sleep, waitUntil } from './orderEvents.ts';
import { probeProcess, type ProcessLoad } from './processProbe.ts';
import { startStreamGateway, STREAM, windowSubscription } from './streamGateway.ts';

export interface LatencyOptions {
  readonly ratePerSecond: number;
  readonly seconds: number;
  /** Leading seconds left out of the figures (JIT warm-up, first fetches). */
  readonly warmupSeconds: number;
  readonly throttleMs: number;
  readonly tickMs: number;
}

export interface LatencyResult {
  readonly options: LatencyOptions;
  readonly query: string;
  readonly sent: number;
  readonly achievedRate: number;
  readonly produceRequests: number;
  readonly maxInFlight: number;
  /** Per event: first version of its window with maxSent ≥ its send time, arrival − send time. */
  readonly perEvent: LatencySummary;
  readonly unseen: number;
  /** Per non-final version: arrival − its maxSent (the age of its freshest event). */
  readonly perVersion: LatencySummary;
  readonly lateEvents: number;
  readonly gateway: ProcessLoad;
  readonly clientLoopDelayP99Ms: number;
}

/**
 * Produce→subscriber latency: a producer process sends `ratePerSecond` orders in batches
 * every `tickMs`, each stamped with its send time (also its event time); one graphql-ws
 * subscriber in another process takes CHANGES of 1s tumbling windows with `maxSent`,
 * throttled to `throttleMs`; the gateway runs in this process.
 */
export async function measureLatency(
  kafka: BenchKafka,
  producer: LoadProcess,
  subscriber: LoadProcess,
  topic: string,
  options: LatencyOptions,
): Promise<LatencyResult> {
  const query = windowSubscription({ tumble: '1s', throttle: `${options.throttleMs}ms`, rows: 'region orders revenue maxSent' });
  const gw = await startStreamGateway(kafka.brokers, topic);
  try {
    await subscriber.call({ kind: 'subscribe', url: gw.server.url, field: STREAM, query, connections: 1, perConnection: 1 });
    await waitUntil('the latency subscriber to be registered', async () => (await gw.subscribers()) === 1, 30_000);
    await sleep(500); // the feed's consumer has joined and polls the (empty) topic
    const probe = probeProcess();
    const produced = await producer.call({
      kind: 'produce',
      brokers: kafka.brokers,
      topic,
      ratePerSecond: options.ratePerSecond,
      durationMs: options.seconds * 1000,
      tickMs: options.tickMs,
      firstIndex: 0,
      watermarkAfterMs: null,
    });
    await waitUntil('the gateway to count every event', async () => (await gw.events()) >= produced.sentAt.length, 30_000);
    const gateway = probe.stop();
    await sleep(options.throttleMs + 500); // the last throttled versions arrive
    const { recordings, clientLoopDelayMs } = await subscriber.call({ kind: 'collect' });
    await subscriber.call({ kind: 'closeSubscriptions' });
    const recording = recordings[0]!;
    if (recording.errors.length > 0) throw new Error(`the latency subscriber got errors: ${recording.errors.slice(0, 3).join('; ')}`);
    const from = produced.sentAt[0]! + options.warmupSeconds * 1000;
    const { latencies, unseen } = eventLatencies(produced.sentAt, recording.versions, 1000, from);
    return {
      options,
      query,
      sent: produced.sentAt.length,
      achievedRate: produced.sentAt.length / produced.seconds,
      produceRequests: produced.requests,
      maxInFlight: produced.maxInFlight,
      perEvent: summarizeLatencies(latencies),
      unseen,
      perVersion: summarizeLatencies(versionLatencies(recording.versions, from)),
      lateEvents: await gw.lateEvents(),
      gateway,
      clientLoopDelayP99Ms: clientLoopDelayMs.p99,
    };
  } finally {
    await gw.close();
  }
}
