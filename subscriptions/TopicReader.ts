import type { Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';

/** Offsets [from, to) of one partition. */
export interface OffsetRange {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/** Takes the records of one partition, in offset order; the next batch waits for its promise (backpressure). */
export type RecordsHandler = (partition: number, messages: readonly KafkaMessage[]) => void | Promise<void>;

interface Reading {
  next: number;
  to: number;
  /** The fetch offset of the last batch refused for starting past `next` (see onBatch). */
  refused?: number;
}

/**
 * A short-lived consumer that reads given offset ranges of a topic, for a Kafka replay
 * (KafkaReplay) or a peek at a topic's newest records. kafkajs has no consumer without a
 * group, so it joins a throwaway group of its own (unique name, nothing committed): it
 * shares no partition with anyone, and the group is empty once it leaves.
 *
 * Every partition starts paused; `read` seeks each range's partition to `from`, resumes it,
 * and pauses it again when `to` is reached: records at or past `to` are never handed out,
 * so successive reads of adjacent ranges hand out each record exactly once. A batch fetched
 * from past a partition's position (before a seek took effect) is refused and the seek
 * repeated, so nothing is skipped; a seek that comes back past it means the records were
 * deleted meanwhile (retention), and the read fails rather than leave a gap unsaid.
 *
 * A read fails when `signal` aborts (the subscriber left, shutdown) and when no record
 * came for `stallMs` while ranges were unfinished: every wait has a deadline.
 */
export class TopicReader {
  private consumer: Consumer | null = null;
  private readonly readings = new Map<number, Reading>();
  private onRecords: RecordsHandler = () => {};
  private settle: ((error?: Error) => void) | null = null;
  private lastRecordAt = 0;
  /** Records handed out by this reader (progress logs, bench). */
  recordsRead = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly partitions: readonly number[],
    private readonly stallMs: number,
  ) {}

  /** Connects and joins the throwaway group, every partition paused. */
  async start(signal: AbortSignal): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      retry: { initialRetryTime: 250, maxRetryTime: 2_000, retries: 10, restartOnFailure: async () => !signal.aborted && this.consumer !== null },
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 50,
    });
    this.consumer = consumer;
    try {
      await consumer.connect();
      signal.throwIfAborted();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      signal.throwIfAborted();
      consumer.run({ autoCommit: false, eachBatch: ({ batch }) => this.onBatch(batch) }).catch((error: unknown) => this.fail(asError(error)));
      // run() creates the consumer group before its first await: pause and seek may follow at once.
      consumer.pause([{ topic: this.topic, partitions: [...this.partitions] }]);
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Reads the ranges (empty ones are skipped); resolves once each reached its `to`. One read at a time. */
  async read(ranges: readonly OffsetRange[], onRecords: RecordsHandler, signal: AbortSignal): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new Error('TopicReader.read: start() first');
    if (this.settle) throw new Error('TopicReader.read: a read is under way');
    const open = ranges.filter((r) => r.from < r.to);
    if (open.length === 0) return;
    this.onRecords = onRecords;
    this.readings.clear();
    for (const r of open) this.readings.set(r.partition, { next: r.from, to: r.to });
    this.lastRecordAt = Date.now();
    const done = new Promise<void>((resolve, reject) => (this.settle = (error) => (error ? reject(error) : resolve())));
    const onAbort = () => this.fail(asError(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    const watchdog = setInterval(() => {
      if (Date.now() - this.lastRecordAt > this.stallMs) this.fail(new Error(`no record of ${this.topic} came for ${this.stallMs} ms while reading ${this.describe()}`));
    }, Math.min(1_000, this.stallMs));
    try {
      for (const r of open) consumer.seek({ topic: this.topic, partition: r.partition, offset: String(r.from) });
      consumer.resume([{ topic: this.topic, partitions: open.map((r) => r.partition) }]);
      await done;
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', onAbort);
      this.settle = null;
      if (this.readings.size > 0) consumer.pause([{ topic: this.topic, partitions: [...this.readings.keys()] }]);
      this.readings.clear();
    }
  }

  /** What is left to read, for messages: "partition 0 at 1200 of 5000, ...". */
  describe(): string {
    return [...this.readings].map(([p, r]) => `partition ${p} at ${r.next} of ${r.to}`).join(', ') || 'nothing';
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    await consumer?.disconnect().catch(() => {});
  }

  private async onBatch(batch: Batch): Promise<void> {
    const reading = this.readings.get(batch.partition);
    if (!reading || batch.messages.length === 0) return;
    const fetchedOffset = Number((batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.messages[0]!.offset);
    if (fetchedOffset > reading.next) {
      if (reading.refused === fetchedOffset) {
        return this.fail(new Error(`records ${reading.next}..${fetchedOffset - 1} of partition ${batch.partition} of ${this.topic} were deleted during the replay (retention)`));
      }
      reading.refused = fetchedOffset; // fetched before the seek took effect: taking it would skip records
      this.consumer?.seek({ topic: this.topic, partition: batch.partition, offset: String(reading.next) });
      return;
    }
    reading.refused = undefined;
    this.lastRecordAt = Date.now();
    // Offsets ascend within a batch: take those in [next, to).
    let first = 0;
    while (first < batch.messages.length && Number(batch.messages[first]!.offset) < reading.next) first++;
    let end = first;
    while (end < batch.messages.length && Number(batch.messages[end]!.offset) < reading.to) end++;
    const last = Number(batch.messages[batch.messages.length - 1]!.offset);
    reading.next = end < batch.messages.length ? reading.to : Math.max(reading.next, last + 1);
    if (end > first) {
      this.recordsRead += end - first;
      try {
        await this.onRecords(batch.partition, batch.messages.slice(first, end));
      } catch (error) {
        return this.fail(asError(error));
      }
    }
    if (reading.next >= reading.to && this.readings.get(batch.partition) === reading) {
      this.readings.delete(batch.partition);
      this.consumer?.pause([{ topic: this.topic, partitions: [batch.partition] }]);
      if (this.readings.size === 0) this.settle?.();
    }
  }

  private fail(error: Error): void {
    this.settle?.(error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
