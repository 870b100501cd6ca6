import { Kafka, logLevel, type Batch, type Consumer, type Producer, type RetryOptions } from 'kafkajs';
import type { StreamConfig } from '../schema/index.ts';
import { createDecoder, type RawRecord } from './decodeEvent.ts';
import type { EventFeed } from './EventFeed.ts';
import { UnknownFieldTally } from './UnknownFieldTally.ts';
import type { StreamEvent } from './window/index.ts';

export interface FeedHooks {
  /** A message that could not be decoded: counted, and sent to the dead-letter topic if any. */
  onBadMessage(reason: string): void;
  /** Members of events that nothing maps, by JSON pointer (labels bounded, see UnknownFieldTally), once per batch. */
  onUnknownFields?(field: string, n: number): void;
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
  /** Where the last start attempt sought each partition (the offsets of startedAt). */
  private readonly startOffsets = new Map<number, number>();
  /** Replaced whole by remap(); a batch reads it once, so each batch is decoded by one mapping. */
  private decode: ReturnType<typeof createDecoder>;
  private readonly unknownFields = new UnknownFieldTally();
  private stopped = false;

  constructor(
    private readonly stream: StreamConfig,
    private readonly hooks: FeedHooks,
  ) {
    this.startedAt = Date.now() - stream.retentionMs;
    this.kafka = new Kafka({
      clientId: `tributary-${stream.name}`,
      brokers: [...stream.kafka.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: Math.min(3_000, stream.connectTimeoutMs),
      retry: clusterRetry(stream.connectTimeoutMs),
    });
    this.decode = createDecoder(stream, Date.now, this.unknownFields.count);
  }

  /**
   * Decodes the batches from now on with `stream`'s schema mapping (fields:, version:): the
   * entry point of a config reload (StreamHub.remap). Only the reader changes: the consumer,
   * its offsets and the dead-letter topic stay those of the feed's start.
   */
  remap(stream: StreamConfig): void {
    this.decode = createDecoder(stream, Date.now, this.unknownFields.count);
  }

  onEvents(listener: (batch: readonly StreamEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * One start attempt: reaches the brokers, finds the offsets of (now - retention), joins
   * the topic and seeks there. It resolves once the brokers answered; the group join runs
   * on (kafkajs's own retries and restarts), since after a crash it waits out the dead
   * member's session, and an attempt aborted mid-join would leave one more member behind.
   * When `signal` aborts (connectTimeout, shutdown) it disconnects what it opened at once,
   * and again after the step under way settles (a kafkajs connect keeps retrying after
   * disconnect(), within the bounded cluster retries): an abandoned attempt leaves nothing.
   */
  async start(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const { topic } = this.stream.kafka;
    const admin = this.kafka.admin();
    const consumer = this.createConsumer(signal);
    const onAbort = () => {
      void admin.disconnect().catch(() => {});
      void consumer.disconnect().catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await admin.connect();
      signal.throwIfAborted();
      const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, this.startedAt);
      signal.throwIfAborted();
      await consumer.connect();
      signal.throwIfAborted();
      await consumer.subscribe({ topic, fromBeginning: true });
      signal.throwIfAborted();
      this.watchAssignment(consumer, offsets.length);
      // run() creates the consumer group before its first await, so seek() can follow at once.
      consumer.run({ autoCommitInterval: 1_000, eachBatch: ({ batch }) => this.onBatch(batch) }).catch((error: unknown) => {
        if (!this.stopped) this.hooks.log(`stream ${this.stream.name}: consumer failed`, error);
      });
      for (const { partition, offset } of offsets) {
        if (Number(offset) >= 0) consumer.seek({ topic, partition, offset });
        this.startOffsets.set(partition, Number(offset));
      }
      this.consumer = consumer;
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      await admin.disconnect().catch(() => {});
    }
  }

  /**
   * Per partition, the offset of the next record this feed hands its listeners: every
   * record before it was handed out (or skipped as bad) already, every one from it on will
   * be, once, in offset order. Read synchronously between batches, it is where a Kafka
   * replay (KafkaReplay) stops and the live feed takes over.
   */
  positions(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [partition, start] of this.startOffsets) {
      const last = this.lastOffset.get(partition);
      out.set(partition, last === undefined ? start : Math.max(start, Number(last) + 1));
    }
    return out;
  }

  private createConsumer(signal: AbortSignal): Consumer {
    return this.kafka.consumer({
      groupId: this.stream.kafka.groupId,
      // Once running, a consumer rides out broker outages: kafkajs retries and restarts it.
      // An abandoned attempt or a stopped feed must not restart it.
      retry: { initialRetryTime: 250, maxRetryTime: 5_000, retries: 1_000_000, restartOnFailure: async () => !signal.aborted && !this.stopped },
      // The group is this gateway's (one per identity), so after a crash the next start is
      // assigned partitions once the dead member's session expired: keep that short (the
      // broker's minimum is 6 s).
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 50,
    });
  }

  /**
   * Each group join (rebalances too) checks that this gateway got every partition: a
   * second live gateway with the same identity shares the group, and each would see only
   * part of the topic, silently. (For one session timeout after a crash, the dead member of
   * this gateway's previous run is in the group too.)
   */
  private watchAssignment(consumer: Consumer, partitions: number): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = payload.memberAssignment[this.stream.kafka.topic]?.length ?? 0;
      if (assigned < partitions) {
        this.hooks.log(
          `stream ${this.stream.name}: consumer group ${payload.groupId} gave this gateway ${assigned} of ${partitions} partitions: another member shares the group. Unless it is this gateway's previous run (gone within a session timeout), give each gateway its own server.identity (or kafka.groupId)`,
        );
      }
    });
  }

  private async onBatch(batch: Batch): Promise<void> {
    const decode = this.decode;
    const events: StreamEvent[] = [];
    const { messages } = batch;
    const seen = this.lastOffset.get(batch.partition) ?? -1n;
    // Offsets ascend within a partition's batch, so only its head can have been
    // delivered before (after a reconnect: already counted); one BigInt per batch,
    // not per message.
    let first = 0;
    while (first < messages.length && BigInt(messages[first]!.offset) <= seen) first++;
    // The gateway clock of the maxSkew check, read once per batch (a 1 MB batch decodes in tens of
    // milliseconds; maxSkew is an hour by default), not once per event (~150 ns a read here). The batch goes to the listeners whole: in slices, a
    // CHANGES subscriber got 2.5 times the window versions (each slice that closes a window
    // flushes the open one's pending version), and each version is a GraphQL execution.
    const clock = Date.now();
    for (let i = first; i < messages.length; i++) {
      const message = messages[i]!;
      const decoded = decode(message as RawRecord, clock);
      if (decoded.ok) events.push(decoded.event);
      else void this.reject(decoded.reason, message.value, batch.partition, message.offset);
    }
    if (first < messages.length) this.lastOffset.set(batch.partition, BigInt(messages[messages.length - 1]!.offset));
    if (this.hooks.onUnknownFields) this.unknownFields.flush(this.hooks.onUnknownFields);
    if (events.length > 0) {
      for (const listener of this.listeners) listener(events);
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
    this.stopped = true;
    await this.consumer?.disconnect().catch(() => {});
    const producer = await this.producer?.catch(() => null);
    await producer?.disconnect().catch(() => {});
  }
}

/**
 * The retries of one kafkajs connect or metadata request: their waits add up to about one
 * connectTimeout, so a connect that an abandoned start attempt left retrying gives up about
 * when the attempt does (disconnect() does not stop it). Longer outages of a running
 * consumer are ridden out by its own retries and restarts (createConsumer).
 */
export function clusterRetry(connectTimeoutMs: number): RetryOptions {
  const initialRetryTime = 100;
  const maxRetryTime = Math.max(initialRetryTime, Math.min(2_000, Math.round(connectTimeoutMs / 4)));
  let retries = 0;
  for (let total = 0, wait = initialRetryTime; total < connectTimeoutMs; retries++, wait = Math.min(maxRetryTime, wait * 2)) total += wait;
  return { initialRetryTime, maxRetryTime, retries };
}
