import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { StreamConfig } from '../schema/index.ts';
import { createDecoder, type RawRecord } from './decodeEvent.ts';
import type { EventFeed } from './EventFeed.ts';
import type { StreamEvent } from './window/index.ts';

export interface FeedHooks {
  /** A message that could not be decoded: counted, and sent to the dead-letter topic if any. */
  onBadMessage(reason: string): void;
  log(message: string, error?: unknown): void;
}

/**
 * One Kafka consumer for a stream's topic, shared by every subscription of the stream.
 * It starts at the offsets of (now - retention) found by timestamp, so the retained
 * history is replayed on start, then follows the topic live. Records are deduplicated by
 * partition offset, so a broker restart that redelivers uncommitted records counts each
 * event once. Malformed records never stop the feed.
 */
export class KafkaFeed implements EventFeed {
  readonly startedAt: number;
  private readonly listeners = new Set<(batch: readonly StreamEvent[]) => void>();
  private readonly kafka: Kafka;
  private consumer: Consumer | null = null;
  /** The dead-letter producer, connecting or connected; shared by concurrent rejections. */
  private producer: Promise<Producer> | null = null;
  private readonly lastOffset = new Map<number, bigint>();

  constructor(
    private readonly stream: StreamConfig,
    private readonly hooks: FeedHooks,
  ) {
    this.startedAt = Date.now() - stream.retentionMs;
    this.kafka = new Kafka({
      clientId: `tributary-${stream.name}`,
      brokers: [...stream.kafka.brokers],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 250, maxRetryTime: 5_000, retries: 1_000_000 },
    });
  }

  onEvents(listener: (batch: readonly StreamEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const { topic } = this.stream.kafka;
    const admin = this.kafka.admin();
    await admin.connect();
    let offsets: { partition: number; offset: string }[];
    try {
      offsets = await admin.fetchTopicOffsetsByTimestamp(topic, this.startedAt);
    } finally {
      await admin.disconnect();
    }
    const decode = createDecoder(this.stream);
    const consumer = this.kafka.consumer({
      groupId: this.stream.kafka.groupId ?? `tributary-${this.stream.name}-${randomUUID()}`,
      retry: { initialRetryTime: 250, maxRetryTime: 5_000, retries: 1_000_000 },
      maxWaitTimeInMs: 50,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 1_000,
      eachBatch: async ({ batch }) => {
        const events: StreamEvent[] = [];
        const { messages } = batch;
        const seen = this.lastOffset.get(batch.partition) ?? -1n;
        // Offsets ascend within a partition's batch, so only its head can have been
        // delivered before (after a reconnect: already counted); one BigInt per batch,
        // not per message.
        let first = 0;
        while (first < messages.length && BigInt(messages[first]!.offset) <= seen) first++;
        for (let i = first; i < messages.length; i++) {
          const message = messages[i]!;
          const decoded = decode(message as RawRecord);
          if (decoded.ok) events.push(decoded.event);
          else void this.reject(decoded.reason, message.value, batch.partition, message.offset);
        }
        if (first < messages.length) this.lastOffset.set(batch.partition, BigInt(messages[messages.length - 1]!.offset));
        if (events.length > 0) {
          for (const listener of this.listeners) listener(events);
        }
      },
    });
    for (const { partition, offset } of offsets) {
      if (Number(offset) >= 0) consumer.seek({ topic, partition, offset });
    }
  }

  private async reject(reason: string, value: Buffer | null, partition: number, offset: string): Promise<void> {
    this.hooks.onBadMessage(reason);
    const dlq = this.stream.deadLetterTopic;
    if (!dlq) return;
    try {
      // Rejections of one batch run concurrently: each awaits the one connect (a send
      // before connect() has resolved fails with "The producer is disconnected").
      this.producer ??= this.connectProducer();
      const producer = await this.producer;
      await producer.send({
        topic: dlq,
        messages: [{ value, headers: { reason, 'source-topic': this.stream.kafka.topic, partition: String(partition), offset } }],
      });
    } catch (error) {
      this.hooks.log(`dead-letter produce to ${dlq} failed`, error);
    }
  }

  private async connectProducer(): Promise<Producer> {
    const producer = this.kafka.producer();
    try {
      await producer.connect();
      return producer;
    } catch (error) {
      this.producer = null; // the next rejection tries again
      throw error;
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    const producer = await this.producer?.catch(() => null);
    await producer?.disconnect().catch(() => {});
  }
}
