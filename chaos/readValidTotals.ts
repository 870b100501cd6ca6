import type { Kafka } from 'kafkajs';

export interface ValidTotals {
  /** Valid events (parseable, event time before `cutoff`, not in the future past `maxSkewMs`). */
  readonly count: number;
  readonly amount: number;
  readonly malformed: number;
  readonly farFuture: number;
}

/**
 * What was really produced, read back from the topic with a fresh consumer from offset 0
 * to the high watermark: the books the landed totals must match, whatever acks were lost.
 */
export async function readValidTotals(kafka: Kafka, topic: string, cutoff: number, maxSkewMs: number, deadlineMs = 60_000): Promise<ValidTotals> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  const remaining = new Set([...high].filter(([, h]) => h > 0).map(([p]) => p));
  const totals = { count: 0, amount: 0, malformed: 0, farFuture: 0 };
  if (remaining.size === 0) return totals;
  const consumer = kafka.consumer({ groupId: `chaos-audit-${process.pid}-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} back did not reach its end within ${deadlineMs} ms`)), deadlineMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          let event: { ts?: unknown; amount?: unknown } | null = null;
          try {
            event = JSON.parse(message.value?.toString() ?? '');
          } catch {
            totals.malformed++;
          }
          if (event && typeof event.ts === 'number') {
            if (event.ts > Date.now() + maxSkewMs) totals.farFuture++;
            else if (event.ts < cutoff) {
              totals.count++;
              totals.amount += Number(event.amount);
            }
          }
          if (Number(message.offset) + 1 >= high.get(partition)!) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return totals;
}
