import { StringInterner } from './StringInterner.ts';
import type { DimensionValue, MeasureInput, StreamEvent } from './window/index.ts';

/** Events per chunk: a chunk is dropped whole once every event in it has expired. */
const CHUNK = 4_096;

/**
 * One run of retained events, stored by column. Times and numeric measure inputs sit in
 * Float64Arrays (a measure input of null is NaN: inputs are finite numbers or null), so a
 * retained event is no set of small objects that every garbage collection copies and marks:
 * with an hour of retention that work grew with the stream's rate. A measure column turns
 * into a plain array once a string arrives (countDistinct of a string field).
 */
interface Chunk {
  readonly times: Float64Array;
  readonly dims: DimensionValue[][];
  readonly values: (Float64Array | MeasureInput[])[];
  length: number;
}

/**
 * The events of the last `retentionMs` of stream time, kept so that a new subscription
 * can be seeded with recent history (`since`, or the windows currently open) without
 * re-reading Kafka. Bounded by stream time and by `maxEvents`, whichever bites first.
 *
 * Events are kept by the stream's `dimensions` and `measures` (what the decoder fills in):
 * `since` hands back equal events, as new objects, with every one of those names (a
 * missing value is null, as StreamEvent says) and no other.
 */
export class RetainedEvents {
  private chunks: Chunk[] = [];
  /** Chunks before this index and events before `head` in chunks[first] have expired. */
  private first = 0;
  private head = 0;
  private count = 0;
  /** Events ever added: the sequence number the next added event gets. */
  private added = 0;
  private streamTime = -Infinity;
  /** One per dimension: a retained string value is the shared copy (StringInterner.ts). */
  private readonly interners: StringInterner[];

  constructor(
    private readonly retentionMs: number,
    private readonly dimensions: readonly string[],
    private readonly measures: readonly string[],
    private readonly maxEvents = 2_000_000,
  ) {
    this.interners = dimensions.map(() => new StringInterner());
  }

  add(batch: readonly StreamEvent[]): void {
    const { dimensions, measures, interners } = this;
    let chunk = this.chunks[this.chunks.length - 1];
    for (const e of batch) {
      if (!chunk || chunk.length === CHUNK) this.chunks.push((chunk = newChunk(dimensions.length, measures.length)));
      const at = chunk.length++;
      chunk.times[at] = e.time;
      for (let d = 0; d < dimensions.length; d++) {
        const v = e.dims[dimensions[d]!] ?? null;
        chunk.dims[d]![at] = typeof v === 'string' ? interners[d]!.intern(v) : v;
      }
      for (let m = 0; m < measures.length; m++) {
        const v = e.values[measures[m]!] ?? null;
        const column = chunk.values[m]!;
        if (!(column instanceof Float64Array)) column[at] = v;
        else if (typeof v === 'number') column[at] = v;
        else if (v === null) column[at] = NaN;
        else (chunk.values[m] = toArray(column, at))[at] = v;
      }
      if (e.time > this.streamTime) this.streamTime = e.time;
    }
    this.count += batch.length;
    this.added += batch.length;
    this.expire();
  }

  /** Retained events with time >= sinceMs, in arrival order. */
  since(sinceMs: number): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (let c = this.first; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      for (let i = c === this.first ? this.head : 0; i < chunk.length; i++) if (chunk.times[i]! >= sinceMs) out.push(this.event(chunk, i));
    }
    return out;
  }

  /**
   * The sequence number of the next event added (events ever added). A Kafka replay marks
   * it when it takes the live feed's positions, and takes the live events after the mark
   * with `fromSequence` when it joins.
   */
  get sequence(): number {
    return this.added;
  }

  /**
   * The events added at or after sequence number `seq`, in arrival order; null if some of
   * them have expired already (the caller must read them elsewhere).
   */
  fromSequence(seq: number): StreamEvent[] | null {
    let skip = seq - (this.added - this.count);
    if (skip < 0) return null;
    const out: StreamEvent[] = [];
    for (let c = this.first; c < this.chunks.length; c++) {
      const chunk = this.chunks[c]!;
      const from = c === this.first ? this.head : 0;
      const n = chunk.length - from;
      if (skip >= n) {
        skip -= n;
        continue;
      }
      for (let i = from + skip; i < chunk.length; i++) out.push(this.event(chunk, i));
      skip = 0;
    }
    return out;
  }

  /** The earliest event time still answerable from memory. */
  get horizon(): number {
    return this.streamTime - this.retentionMs;
  }

  get size(): number {
    return this.count;
  }

  /** Drops, in arrival order, events older than the horizon and those over maxEvents (as an array of events would). */
  private expire(): void {
    const horizon = this.horizon;
    while (this.count > 0) {
      const chunk = this.chunks[this.first]!;
      if (!(chunk.times[this.head]! < horizon || this.count > this.maxEvents)) break;
      this.count--;
      if (++this.head === chunk.length && chunk.length === CHUNK) {
        this.chunks[this.first++] = undefined as unknown as Chunk; // the chunk's memory goes now
        this.head = 0;
      }
    }
    if (this.first > 64 && this.first * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  private event(chunk: Chunk, i: number): StreamEvent {
    const dims: Record<string, DimensionValue> = {};
    const values: Record<string, MeasureInput> = {};
    this.dimensions.forEach((name, d) => (dims[name] = chunk.dims[d]![i]!));
    this.measures.forEach((name, m) => {
      const v = chunk.values[m]![i]!;
      values[name] = typeof v === 'number' && Number.isNaN(v) ? null : v;
    });
    return { time: chunk.times[i]!, dims, values };
  }
}

function newChunk(dimensions: number, measures: number): Chunk {
  return {
    times: new Float64Array(CHUNK),
    dims: Array.from({ length: dimensions }, () => new Array<DimensionValue>(CHUNK).fill(null)),
    values: Array.from({ length: measures }, () => new Float64Array(CHUNK)),
    length: 0,
  };
}

/** A numeric column as a plain array of its first `length` inputs, once a string arrives. */
function toArray(column: Float64Array, length: number): MeasureInput[] {
  const out = new Array<MeasureInput>(CHUNK).fill(null);
  for (let i = 0; i < length; i++) out[i] = Number.isNaN(column[i]!) ? null : column[i]!;
  return out;
}
