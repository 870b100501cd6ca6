import { Kafka, logLevel, type Batch, type Consumer } from 'kafkajs';
import type { StreamConfig } from '../schema/index.ts';
import { createDecoder, type RawRecord } from './decodeEvent.ts';
import { clusterRetry } from './KafkaFeed.ts';
import type { LandingOffsets, StoredPosition } from './LandingOffsets.ts';
import type { LandingWriter } from './LandingWriter.ts';
import { MAX_PENDING_ROWS } from './LandingWriter.ts';
import { PartitionWindows, type PartitionPosition } from './PartitionWindows.ts';

/** Positions that cannot be read (database or brokers down) are tried again after this, doubling. */
const FIRST_LOAD_RETRY_MS = 500;
const MAX_LOAD_RETRY_MS = 10_000;
/** Reading stops while this many rows wait for the table, and goes on once they are written. */
const BACKLOG_PAUSE_ROWS = MAX_PENDING_ROWS / 2;

/**
 * The landing consumer of a stream: one member of ONE consumer group shared by the landing
 * writers of all replicas (`landing.groupId`), so each partition is windowed and landed by
 * exactly one replica. Live subscriptions keep their own consumer (KafkaFeed).
 *
 * Each assigned partition has its own windows (PartitionWindows) and resumes from the
 * position stored with its last landed windows (LandingOffsets), not from Kafka's committed
 * offsets (nothing is committed to Kafka). At each group join (kafkajs GROUP_JOIN):
 * - revoked partitions: their windows are dropped, unlanded, with their queued writes; the
 *   next owner rebuilds them from the stored position;
 * - partitions kept: seek to the next offset they expect (a rejoin restarts fetching);
 * - new partitions: paused while their stored position is read (a first one is claimed
 *   from the offsets of now - retention), then seek there and resume.
 * A batch is taken only when its fetch started at or before the partition's next offset, so
 * a batch fetched before a seek can never skip records; records before it are duplicates.
 */
export class LandingFeed {
  private readonly kafka: Kafka;
  /** Replaced whole by remap(), between batches. */
  private decode: ReturnType<typeof createDecoder>;
  private consumer: Consumer | null = null;
  /**
   * Assigned partitions; null windows while their position is being read. `refused`: the
   * fetch offset of the last batch refused for starting past the partition's next offset.
   */
  private readonly partitions = new Map<number, { windows: PartitionWindows | null; refused?: number }>();
  /** Bumped by each group join: a position read for an older assignment is discarded. */
  private generation = 0;
  private pausedForBacklog = false;
  private stopped = false;
  /** Records that did not decode (the live feed counts and dead-letters them; this one skips them). */
  badRecords = 0;

  constructor(
    private readonly stream: StreamConfig,
    private readonly writer: LandingWriter,
    private readonly offsets: LandingOffsets,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.kafka = new Kafka({
      clientId: `tributary-landing-${stream.name}`,
      brokers: [...stream.kafka.brokers],
      logLevel: logLevel.NOTHING,
      connectionTimeout: Math.min(3_000, stream.connectTimeoutMs),
      retry: clusterRetry(stream.connectTimeoutMs),
    });
    this.decode = createDecoder(stream);
  }

  /** Decodes the batches from now on with `stream`'s schema mapping (StreamHub.remap); windows being landed are kept. */
  remap(stream: StreamConfig): void {
    this.decode = createDecoder(stream);
  }

  /** The partitions this replica lands now (positioned; not those still being read). */
  landingPartitions(): number[] {
    return [...this.partitions].filter(([, s]) => s.windows).map(([p]) => p).sort((a, b) => a - b);
  }

  /**
   * One start attempt: connects, joins the group and runs. It resolves once the consumer
   * runs; assignments follow (after a crash, once the dead member's session expired). When
   * `signal` aborts, what it opened is disconnected.
   */
  async start(signal: AbortSignal = new AbortController().signal): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.stream.landing!.groupId,
      retry: { initialRetryTime: 250, maxRetryTime: 5_000, retries: 1_000_000, restartOnFailure: async () => !signal.aborted && !this.stopped },
      // A replica that dies holds its partitions until its session expires (the broker's minimum is 6 s).
      sessionTimeout: 10_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 100,
    });
    const onAbort = () => void consumer.disconnect().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await consumer.connect();
      signal.throwIfAborted();
      await consumer.subscribe({ topic: this.stream.kafka.topic, fromBeginning: true });
      signal.throwIfAborted();
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.onJoin(consumer, payload.memberAssignment[this.stream.kafka.topic] ?? []));
      consumer.run({ autoCommit: false, eachBatch: ({ batch }) => this.onBatch(consumer, batch) }).catch((error: unknown) => {
        if (!this.stopped) this.log(`landing ${this.stream.name}: consumer failed`, error);
      });
      this.consumer = consumer;
    } catch (error) {
      await consumer.disconnect().catch(() => {});
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Leaves the group (the others take the partitions at once) and drops every partition's windows. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    await this.consumer?.disconnect().catch(() => {});
    this.partitions.clear();
  }

  /** Runs synchronously inside the join: seeks and pauses land before the first fetch of the generation. */
  private onJoin(consumer: Consumer, assigned: readonly number[]): void {
    const generation = ++this.generation;
    const { topic } = this.stream.kafka;
    const now = new Set(assigned);
    for (const p of [...this.partitions.keys()]) {
      if (now.has(p)) continue;
      this.partitions.delete(p); // revoked: windows not closed yet are rebuilt by the next owner
      this.writer.forget(p);
    }
    const load: number[] = [];
    for (const p of assigned) {
      const windows = this.partitions.get(p)?.windows;
      if (windows) consumer.seek({ topic, partition: p, offset: String(windows.nextOffset) });
      else {
        this.partitions.set(p, { windows: null });
        load.push(p);
      }
    }
    this.log(`landing ${this.stream.name}: this replica lands partitions [${[...assigned].sort((a, b) => a - b).join(', ')}] of ${topic} (group ${this.stream.landing!.groupId})`);
    this.applyPauses(consumer);
    if (load.length > 0) void this.position(consumer, load, generation);
  }

  /** Reads (or claims) the stored positions of `partitions`, retrying until it succeeds or the assignment changed. */
  private async position(consumer: Consumer, partitions: readonly number[], generation: number): Promise<void> {
    const { topic } = this.stream.kafka;
    for (let waitMs = FIRST_LOAD_RETRY_MS; ; waitMs = Math.min(waitMs * 2, MAX_LOAD_RETRY_MS)) {
      try {
        const positions = await this.storedPositions(partitions);
        if (generation !== this.generation) return;
        for (const p of partitions) {
          const position = positions.get(p)!;
          this.partitions.set(p, { windows: new PartitionWindows(this.writer.shape, position) });
          consumer.seek({ topic, partition: p, offset: String(position.offset) });
        }
        this.applyPauses(consumer);
        return;
      } catch (error) {
        if (generation !== this.generation) return;
        this.log(`landing ${this.stream.name}: reading the positions of partitions [${partitions.join(', ')}] failed; retrying in ${waitMs} ms`, error);
        await new Promise((resolve) => setTimeout(resolve, waitMs).unref());
        if (generation !== this.generation) return;
      }
    }
  }

  private async storedPositions(partitions: readonly number[]): Promise<Map<number, PartitionPosition>> {
    const stored = await this.offsets.read(partitions);
    const missing = partitions.filter((p) => !stored.has(p));
    if (missing.length === 0) return stored;
    // Never landed: from the offsets of (now - retention), found by time, as the live feed starts.
    const startedAt = Date.now() - this.stream.retentionMs;
    const admin = this.kafka.admin();
    await admin.connect();
    let byTime: { partition: number; offset: string }[];
    try {
      byTime = await admin.fetchTopicOffsetsByTimestamp(this.stream.kafka.topic, startedAt);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    const first: StoredPosition[] = missing.map((p) => {
      const offset = Number(byTime.find((o) => o.partition === p)?.offset ?? 0);
      return { partition: p, ...PartitionWindows.firstPosition(this.writer.shape, Math.max(0, offset), startedAt) };
    });
    const claimed = await this.offsets.claim(first);
    return new Map([...stored, ...claimed]);
  }

  private async onBatch(consumer: Consumer, batch: Batch): Promise<void> {
    const state = this.partitions.get(batch.partition);
    const windows = state?.windows;
    if (!state || !windows || batch.messages.length === 0) return; // not (yet) this replica's: it seeks once positioned
    const fetchedOffset = Number((batch as Batch & { fetchedOffset?: string }).fetchedOffset ?? batch.messages[0]!.offset);
    if (fetchedOffset > windows.nextOffset) {
      if (state.refused !== fetchedOffset) {
        // Fetched from past this partition's position (before a seek took effect): taking it would skip records.
        state.refused = fetchedOffset;
        consumer.seek({ topic: batch.topic, partition: batch.partition, offset: String(windows.nextOffset) });
        return;
      }
      // The seek came back at the same place: the records before it are gone from the topic (retention).
      this.log(`landing ${this.stream.name}: records ${windows.nextOffset}..${fetchedOffset - 1} of partition ${batch.partition} are no longer in ${batch.topic} (retention); they are not landed`);
    }
    state.refused = undefined;
    for (const message of batch.messages) {
      const offset = Number(message.offset);
      if (offset < windows.nextOffset) continue;
      // The skew check's clock is the record's own timestamp, not the wall clock: a re-read
      // after a takeover must decide as the first read did.
      const decoded = this.decode(message as RawRecord, Number(message.timestamp));
      if (!decoded.ok) this.badRecords++;
      windows.add(offset, decoded.ok ? decoded.event : null);
    }
    const closed = windows.closeDue();
    this.writer.push(batch.partition, closed.windows, closed.position);
    if (this.writer.backlogRows > BACKLOG_PAUSE_ROWS && !this.pausedForBacklog) this.pauseForBacklog(consumer);
  }

  /** Stops reading while the table cannot keep up (or is down); reading resumes where it stopped once the backlog is written. */
  private pauseForBacklog(consumer: Consumer): void {
    this.pausedForBacklog = true;
    this.applyPauses(consumer);
    this.log(`landing ${this.stream.name}: ${this.writer.backlogRows} rows wait for ${this.stream.landing!.table}; reading paused until they are written`);
    void this.writer.settled().then(() => {
      this.pausedForBacklog = false;
      if (!this.stopped) this.applyPauses(consumer);
    });
  }

  /** Pauses the partitions being positioned (all of them during a backlog) and resumes the others. */
  private applyPauses(consumer: Consumer): void {
    const { topic } = this.stream.kafka;
    const all = [...this.partitions.keys()];
    const paused = this.pausedForBacklog ? all : all.filter((p) => !this.partitions.get(p)!.windows);
    const running = all.filter((p) => !paused.includes(p));
    if (paused.length > 0) consumer.pause([{ topic, partitions: paused }]);
    if (running.length > 0) consumer.resume([{ topic, partitions: running }]);
  }
}
