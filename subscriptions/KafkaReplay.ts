import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { badInput } from '../errors/index.ts';
import { formatInstant } from '../planner/index.ts';
import type { StreamConfig } from '../schema/index.ts';
import { createDecoder, type RawRecord } from './decodeEvent.ts';
import { clusterRetry } from './KafkaFeed.ts';
import { TopicReader, type OffsetRange } from './TopicReader.ts';
import type { StreamEvent } from './window/index.ts';

/** A replay logs its progress this often while it reads. */
const PROGRESS_EVERY_MS = 10_000;
/** Live events that arrived during a round are taken from memory up to this many; more, and one more round reads them from Kafka. */
const MAX_TAIL_EVENTS = 50_000;
/** Rounds before a replay that never catches up with the live feed gives up. */
const MAX_ROUNDS = 20;

/** The live side of a stream, as a replay joins it. Every method is synchronous. */
export interface LiveFeed {
  /** The live feed's next offset per partition (KafkaFeed.positions). */
  positions(): ReadonlyMap<number, number>;
  /** The sequence number of the next live event kept in memory (RetainedEvents.sequence). */
  mark(): number;
  /** The live events since `mark`, or null when some have expired (RetainedEvents.fromSequence). */
  since(mark: number): StreamEvent[] | null;
  /** Hands over: `tail` goes to the operator, which from now on takes the live feed's batches. */
  join(tail: readonly StreamEvent[]): void;
}

/** A kafkajs client for a stream's short-lived readers (replays, peeks). */
export function replayKafka(stream: StreamConfig): Kafka {
  return new Kafka({
    clientId: `tributary-${stream.name}-replay`,
    brokers: [...stream.kafka.brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(3_000, stream.connectTimeoutMs),
    retry: clusterRetry(stream.connectTimeoutMs),
  });
}

/** A throwaway group per reader: it shares its partitions with no one and commits nothing. */
export function throwawayGroup(stream: StreamConfig, purpose: string): string {
  return `tributary-${purpose}-${stream.name}-${randomUUID()}`;
}

/**
 * A `since` older than what the stream keeps in memory, replayed from Kafka: the offsets of
 * `since` are found by record timestamp, a short-lived consumer (TopicReader) reads from
 * them up to the live feed's positions, decoding as the feed does (bad records are
 * skipped: the live feed counted and dead-lettered them), and hands the events on batch by
 * batch (windows stream as they go; memory holds a batch, not the replay). Then it joins
 * the live feed without a gap or a duplicate:
 *
 *   round: take the live positions P and the memory mark M in one synchronous step; read
 *   [from, P); then, synchronously, take the live events since M from memory, hand them
 *   on, and join. Records before P were read by the replay, those from P on were handed
 *   out by the live feed after M: each exactly once, replayed ones first.
 *
 * If live events since M expired from memory meanwhile (a small retention, a long replay)
 * or are many, another round reads [P, P') from Kafka.
 *
 * Offsets are found by Kafka record time. For `timestamp: $kafka` that is the event time;
 * for a field, the replay assumes a record is not stamped before its event happened (a
 * record written ahead of its event time could be missed).
 *
 * A `since` before the oldest record still in the topic (the broker deleted older ones) is
 * BAD_USER_INPUT naming that limit.
 */
export class KafkaReplay {
  private readonly kafka: Kafka;
  private readonly decode: ReturnType<typeof createDecoder>;
  private reader: TopicReader | null = null;
  private from = new Map<number, number>();
  /** Records read by this replay (its own and every round's). */
  get recordsRead(): number {
    return this.reader?.recordsRead ?? 0;
  }

  constructor(
    private readonly stream: StreamConfig,
    private readonly sinceMs: number,
    private readonly log: (message: string, error?: unknown) => void,
  ) {
    this.kafka = replayKafka(stream);
    this.decode = createDecoder(stream);
  }

  /**
   * Finds the offsets of `since`, checks them against the topic's retention, and joins
   * the reader's throwaway group. Throws BAD_USER_INPUT when the records are gone.
   */
  async open(signal: AbortSignal): Promise<void> {
    const { topic } = this.stream.kafka;
    const admin = this.kafka.admin();
    const onAbort = () => void admin.disconnect().catch(() => {});
    signal.addEventListener('abort', onAbort, { once: true });
    let ends: Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
    let byTime: Awaited<ReturnType<typeof admin.fetchTopicOffsetsByTimestamp>>;
    try {
      await admin.connect();
      signal.throwIfAborted();
      [ends, byTime] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchTopicOffsetsByTimestamp(topic, this.sinceMs)]);
      signal.throwIfAborted();
    } finally {
      signal.removeEventListener('abort', onAbort);
      await admin.disconnect().catch(() => {});
    }
    this.from = new Map(byTime.map((p) => [p.partition, Number(p.offset)]));
    this.reader = new TopicReader(this.kafka, topic, throwawayGroup(this.stream, 'replay'), ends.map((e) => e.partition), Math.max(30_000, this.stream.connectTimeoutMs));
    await this.reader.start(signal);
    // A partition whose records were deleted (low > 0) and whose first record left is the
    // first at or after `since`: records of [since, that record) may have been deleted.
    const suspects: OffsetRange[] = ends
      .filter((e) => Number(e.low) > 0 && Number(e.low) < Number(e.high) && this.from.get(e.partition) === Number(e.low))
      .map((e) => ({ partition: e.partition, from: Number(e.low), to: Number(e.low) + 1 }));
    let limit = -Infinity;
    await this.reader.read(suspects, (_, messages) => void (limit = Math.max(limit, ...messages.map((m) => Number(m.timestamp)))), signal);
    if (this.sinceMs < limit) {
      // Times print as everywhere else in the API: ISO-8601 with the stream's offset.
      const oldest = formatInstant(limit, this.stream.view.timezone);
      throw badInput(
        `since: ${formatInstant(this.sinceMs, this.stream.view.timezone)} is older than the oldest record still in topic ${topic} (${oldest}): the broker deleted older records (retention). Use a since at or after ${oldest}`,
        { limit: oldest },
      );
    }
  }

  /**
   * Replays up to the live feed and joins it (see the class comment). `add` takes each
   * decoded batch; its promise is backpressure. Rejects if `signal` aborts, the topic stalls
   * or the replay never catches up.
   */
  async run(live: LiveFeed, add: (batch: readonly StreamEvent[]) => void | Promise<void>, signal: AbortSignal): Promise<void> {
    const reader = this.reader;
    if (!reader) throw new Error('KafkaReplay.run: open() first');
    const started = Date.now();
    const since = formatInstant(this.sinceMs, this.stream.view.timezone);
    let lastLog = started;
    const onRecords = (partition: number, messages: readonly KafkaMessage[]) => {
      if (Date.now() - lastLog >= PROGRESS_EVERY_MS) {
        lastLog = Date.now();
        this.log(`stream ${this.stream.name}: replay since ${since} read ${reader.recordsRead} records in ${lastLog - started} ms; left: ${reader.describe()}`);
      }
      const clock = Date.now();
      const events: StreamEvent[] = [];
      for (const m of messages) {
        const decoded = this.decode(m as RawRecord, clock);
        if (decoded.ok) events.push(decoded.event);
      }
      return events.length > 0 ? add(events) : undefined;
    };
    for (let round = 1; ; round++) {
      const positions = live.positions();
      const mark = live.mark();
      const ranges = [...this.from].map(([partition, from]) => ({ partition, from, to: Math.max(from, positions.get(partition) ?? from) }));
      await reader.read(ranges, onRecords, signal);
      signal.throwIfAborted();
      // From here to join(), synchronous: no live batch comes in between.
      const tail = live.since(mark);
      if (tail && tail.length <= MAX_TAIL_EVENTS) {
        live.join(tail);
        const ms = Date.now() - started;
        this.log(`stream ${this.stream.name}: replay since ${since} read ${reader.recordsRead} records from Kafka in ${ms} ms (${Math.round((reader.recordsRead * 1000) / Math.max(1, ms))}/s, ${round} round${round === 1 ? '' : 's'}) and joined the live feed`);
        return;
      }
      if (round === MAX_ROUNDS) throw new Error(`the replay did not catch up with the live feed in ${MAX_ROUNDS} rounds`);
      this.from = new Map(ranges.map((r) => [r.partition, r.to]));
    }
  }

  async close(): Promise<void> {
    await this.reader?.stop();
  }
}
