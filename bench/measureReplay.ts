import { Kafka, logLevel } from 'kafkajs';
import { parseConfig } from '../schema/index.ts';
import { KafkaReplay, WindowOperator, type LiveFeed } from '../subscriptions/index.ts';

/** The stream a replay reads: the orders of bench:stream (event time `ts`). */
const REPLAY_CONFIG = `
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "\${BENCH_KAFKA_BROKERS}", topic: "\${BENCH_TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: 1s
    retention: 1h
`;

/**
 * The rate of a `since` replay from Kafka (KafkaReplay): every record of `topic` (seeded
 * with `events` orders) read by a short-lived consumer from the offsets of `sinceMs`,
 * decoded, and windowed (tumble 1s by region), as a subscription with an old `since` does
 * before it joins the live feed. There is no live feed here: the replay reads up to the
 * topic's end and joins at once. Timed from open (offsets, group join) to the join; the
 * read alone is timed from the first record. Returns the line to print.
 */
export async function measureReplay(brokers: string, topic: string, sinceMs: number, events: number, log: (line: string) => void): Promise<string> {
  const stream = parseConfig(REPLAY_CONFIG, { env: { ...process.env, BENCH_KAFKA_BROKERS: brokers, BENCH_TOPIC: topic } }).streams.orders!;
  const admin = new Kafka({ clientId: 'tributary-bench-replay', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const operator = new WindowOperator({
    window: { kind: 'tumble', sizeMs: 1_000 },
    graceMs: stream.graceMs,
    groupBy: ['region'],
    measures: Object.values(stream.measures).map((m) => ({ name: m.name, aggregation: m.aggregation })),
  });
  let read = 0;
  let closed = 0;
  let firstAt = 0;
  const live: LiveFeed = {
    positions: () => new Map(ends.map((e) => [e.partition, Number(e.high)])),
    mark: () => 0,
    since: () => [],
    join: () => {},
  };
  const replay = new KafkaReplay(stream, sinceMs, (line) => log(`  ${line}`));
  const abort = new AbortController();
  const started = performance.now();
  try {
    await replay.open(abort.signal);
    await replay.run(
      live,
      (batch) => {
        if (read === 0) firstAt = performance.now();
        read += batch.length;
        for (const e of batch) operator.add(e);
        closed += operator.closeDue().length;
      },
      abort.signal,
    );
  } finally {
    await replay.close();
  }
  const totalMs = performance.now() - started;
  const readMs = performance.now() - firstAt;
  if (read !== events) throw new Error(`replay: read ${read} events, expected ${events}`);
  const rate = (n: number, ms: number) => Math.round((n * 1000) / ms).toLocaleString('en-US');
  return `replay from Kafka: ${read.toLocaleString('en-US')} events, ${closed} windows closed; ${rate(read, totalMs)} events/s from open to join (${Math.round(totalMs)} ms), ${rate(read, readMs)} events/s reading (${Math.round(readMs)} ms from the first batch)`;
}
