import type { Kafka, Producer } from 'kafkajs';

export const CHAOS_REGIONS = ['North', 'South', 'East', 'West'] as const;

/** How the producer spoils its stream: a share of unparseable and of far-future events. */
export interface Spoilage {
  readonly malformed: number;
  readonly farFuture: number;
}

export interface ProducerStats {
  sent: number;
  acked: number;
  failedSends: number;
}

/**
 * Produces orders at `ratePerSecond`, stamped with the wall clock as event time, spoiled
 * as `spoil` says, until stop() is called. Sends that fail while the broker is down are
 * counted and retried with new events: what was produced is read back from the topic
 * afterwards (readValidTotals), so an ack lost in a crash cannot skew the books.
 */
export function startProducer(kafka: Kafka, topic: string, ratePerSecond: number, spoil: Spoilage, random: () => number) {
  const stats: ProducerStats = { sent: 0, acked: 0, failedSends: 0 };
  let producer: Producer | null = null;
  let stopped = false;
  let index = 0;
  const event = () => {
    const i = index++;
    const r = random();
    if (r < spoil.malformed) return `{"ts": ${Date.now()}, "region": "North", "amount": `; // cut short
    const ts = r < spoil.malformed + spoil.farFuture ? Date.now() + 10 * 365 * 86_400_000 : Date.now();
    return JSON.stringify({ ts, region: CHAOS_REGIONS[i % CHAOS_REGIONS.length], amount: (i % 97) + 1 });
  };
  const loop = (async () => {
    const tickMs = 100;
    while (!stopped) {
      const started = Date.now();
      const messages = Array.from({ length: Math.max(1, Math.round((ratePerSecond * tickMs) / 1000)) }, () => ({ value: event() }));
      try {
        producer ??= await connect(kafka);
        await producer.send({ topic, acks: -1, messages, timeout: 5_000 });
        stats.acked += messages.length;
      } catch {
        stats.failedSends++;
        await producer?.disconnect().catch(() => {});
        producer = null;
      }
      stats.sent += messages.length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, tickMs - (Date.now() - started))));
    }
    await producer?.disconnect().catch(() => {});
  })();
  return {
    stats,
    /** Stops producing; resolves when the last send has settled. */
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function connect(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 3, initialRetryTime: 200 } });
  await producer.connect();
  return producer;
}
