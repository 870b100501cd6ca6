import type { Kafka } from 'kafkajs';
import { orderEvent } from './orderEvents.ts';

export interface PacedProduceOptions {
  readonly topic: string;
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** How often a batch goes out: rate × tick / 1000 events each. */
  readonly tickMs: number;
  /** Index of the first order (regions and amounts continue across calls). */
  readonly firstIndex: number;
  /**
   * After the paced events, one more event this far past the last event time (without a
   * sentAt), so stream time passes every window's end + grace and they all close. null: none.
   */
  readonly watermarkAfterMs: number | null;
}

export interface ProduceResult {
  /** Send time of each paced event (epoch ms), in produce order; event time equals it. */
  readonly sentAt: Float64Array;
  readonly seconds: number;
  readonly requests: number;
  /** The most produce requests awaiting their ack at once (grows when the broker falls behind). */
  readonly maxInFlight: number;
}

/**
 * Produces orders at a steady rate: every `tickMs` it sends, in one request, the events due
 * by then, each stamped with the time it was sent (`sentAt`, also its event time). Requests
 * are not awaited one by one, so a slow ack does not lower the rate; on one connection to
 * one partition they still land in send order.
 */
export async function producePaced(kafka: Kafka, options: PacedProduceOptions): Promise<ProduceResult> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
    const sentAt = new Float64Array(total);
    const inFlight = new Set<Promise<unknown>>();
    let sent = 0;
    let requests = 0;
    let maxInFlight = 0;
    let failure: unknown = null;
    const started = Date.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const now = Date.now();
        const due = Math.min(total, Math.floor(((now - started) * options.ratePerSecond) / 1000));
        if (due > sent && failure === null) {
          const messages = [];
          for (; sent < due; sent++) {
            sentAt[sent] = now;
            messages.push({ value: JSON.stringify(orderEvent(options.firstIndex + sent, now, now)) });
          }
          const request: Promise<unknown> = producer.send({ topic: options.topic, messages }).then(
            () => inFlight.delete(request),
            (error: unknown) => (failure ??= error),
          );
          inFlight.add(request);
          requests++;
          maxInFlight = Math.max(maxInFlight, inFlight.size);
        }
        if (sent >= total || failure !== null) {
          clearInterval(timer);
          resolve();
        }
      }, options.tickMs);
    });
    const seconds = (Date.now() - started) / 1000;
    await Promise.all(inFlight);
    if (failure !== null) throw failure;
    if (options.watermarkAfterMs !== null && total > 0) {
      const ts = sentAt[total - 1]! + options.watermarkAfterMs;
      await producer.send({ topic: options.topic, messages: [{ value: JSON.stringify(orderEvent(options.firstIndex + total, ts)) }] });
    }
    return { sentAt, seconds, requests, maxInFlight };
  } finally {
    await producer.disconnect();
  }
}
