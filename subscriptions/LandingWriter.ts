import type { StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import type { LandingOffsets, StoredPosition } from './LandingOffsets.ts';
import { landingShape, type LandingShape } from './landingShape.ts';
import { LandingTable } from './LandingTable.ts';
import { PartitionWindows, type PartitionPosition } from './PartitionWindows.ts';
import type { StreamEvent, WindowState } from './window/index.ts';

/** Rows one attempt writes, so that a queue built up during an outage drains in steps. */
const ROWS_PER_ATTEMPT = 5_000;
/**
 * Rows of closed windows held while the table cannot be written. Past it the oldest
 * windows are dropped (counted in `droppedWindows`, logged), so memory stays bounded
 * through any outage: about 100 minutes of 1-minute windows of 1,000 groups each. A Kafka
 * landing feed stops reading at half of it (backlogRows), so it does not get there.
 */
export const MAX_PENDING_ROWS = 100_000;
/** Backoff between failed attempts: doubling from the first to the last. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/** A closed window of one partition; `position` is where that partition resumes once it is landed. */
interface Pending {
  readonly partition: number;
  readonly window: WindowState;
  readonly position: PartitionPosition | null;
}

/**
 * Lands a stream's closed tumbling windows (of `landing.window`) in a table, one row per
 * window, partition and dimension combination, as idempotent upserts keyed by window start,
 * dimensions and partition: a window recomputed from the same events writes the same row.
 * `<stream>History` re-aggregates the partitions' rows (sums of sums and counts, min of
 * mins, max of maxes). Writes are serialized in closing order.
 *
 * With `offsets` (a Kafka landing feed), each write also stores the positions of the
 * partitions it lands, in the same statement (one transaction): the table never holds a
 * window whose partition would be re-read from before it, nor the reverse.
 *
 * A failed write is retried with backoff until it succeeds, with the windows closed
 * meanwhile queued behind it (bounded by MAX_PENDING_ROWS): since rows are upserted by key,
 * writing a window again after a failure that left part of it written lands it once.
 */
export class LandingWriter {
  readonly shape: LandingShape;
  private readonly table: LandingTable;
  /** Closed windows not yet written, in closing order; the batch in flight is not in it. */
  private queue: Pending[] = [];
  private queuedRows = 0;
  private draining: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
  /** The windows of a feed without partitions (add): partition 0, positions not stored. */
  private single: PartitionWindows | null = null;
  private singleOffset = 0;
  landedWindows = 0;
  /** Attempts that failed (each was retried). */
  failedWrites = 0;
  /** Windows dropped unwritten because more than MAX_PENDING_ROWS waited. */
  droppedWindows = 0;

  constructor(
    private readonly stream: StreamConfig,
    private readonly source: Source,
    private readonly feedStartedAt: number,
    private readonly onError: (error: unknown) => void,
    readonly offsets: LandingOffsets | null = null,
  ) {
    this.shape = landingShape(stream);
    this.table = new LandingTable(stream, source, this.shape);
  }

  /** Creates the landing table (and the offsets table) when it does not exist, migrating one landed before partitions. */
  async ensureTable(): Promise<void> {
    await this.table.ensure();
    await this.offsets?.ensureTable();
  }

  /** Windows a feed without partitions closed (the demo feed): landed as partition 0. */
  add(batch: readonly StreamEvent[]): void {
    this.single ??= new PartitionWindows(this.shape, PartitionWindows.firstPosition(this.shape, 0, this.feedStartedAt));
    for (const e of batch) this.single.add(this.singleOffset++, e);
    this.push(0, this.single.closeDue().windows, null);
  }

  /** Queues a partition's closed windows; `position` (stored with the last of them) is where the partition resumes after them. */
  push(partition: number, windows: readonly WindowState[], position: PartitionPosition | null): void {
    if (windows.length === 0 || this.stopped) return;
    this.enqueue(windows.map((window, i) => ({ partition, window, position: i === windows.length - 1 ? position : null })), 'back');
    this.startDraining();
  }

  /** Drops the queued windows of a partition this replica no longer lands (its next owner re-reads them). */
  forget(partition: number): void {
    const kept = this.queue.filter((p) => p.partition !== partition);
    for (const p of this.queue) if (p.partition === partition) this.queuedRows -= p.window.rows.length;
    this.queue = kept;
  }

  /** Rows waiting to be written. */
  get backlogRows(): number {
    return this.queuedRows;
  }

  private startDraining(): void {
    if (this.draining || this.stopped || this.queue.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.startDraining(); // windows queued after the loop's last look
    });
  }

  /** Resolves when every window closed so far is written (or the writer is stopped). */
  async settled(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** No attempts after this one (shutdown); windows still queued are logged as not landed. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    if (this.queue.length > 0) this.onError(new Error(`${this.queue.length} closed windows of ${this.stream.landing!.table} were not landed before shutdown`));
  }

  private async drain(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.takeBatch();
      try {
        await this.land(batch);
        this.landedWindows += batch.length;
        retryMs = FIRST_RETRY_MS;
      } catch (error) {
        this.failedWrites += 1;
        this.onError(error);
        this.enqueue(batch, 'front');
        await this.pause(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  private takeBatch(): Pending[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.window.rows.length <= ROWS_PER_ATTEMPT)) rows += this.queue[n++]!.window.rows.length;
    this.queuedRows -= rows;
    return this.queue.splice(0, n);
  }

  private enqueue(windows: readonly Pending[], end: 'front' | 'back'): void {
    if (end === 'front') this.queue.unshift(...windows);
    else this.queue.push(...windows);
    for (const w of windows) this.queuedRows += w.window.rows.length;
    let dropped = 0;
    while (this.queuedRows > MAX_PENDING_ROWS && this.queue.length > 1) {
      this.queuedRows -= this.queue.shift()!.window.rows.length;
      dropped += 1;
    }
    if (dropped === 0) return;
    this.droppedWindows += dropped;
    this.onError(new Error(`${dropped} closed windows of ${this.stream.landing!.table} dropped unwritten: more than ${MAX_PENDING_ROWS} rows were waiting for the table`));
  }

  /** Waits before the next attempt; stop() cuts it short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => ((this.wake = null), resolve()), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  /** One statement, so one transaction: the rows and, with offsets, each landed partition's last position. */
  private async land(batch: readonly Pending[]): Promise<void> {
    const positions = new Map<number, StoredPosition>();
    for (const { partition, position } of batch) if (position) positions.set(partition, { partition, ...position });
    const insert = this.table.upsert(batch);
    if (!this.offsets || positions.size === 0) return this.run(insert.sql, insert.params);
    const stored = this.offsets.upsert([...positions.values()], 'advance', insert.params.length);
    await this.run(`with landed as (${insert.sql} returning 1) ${stored.sql}`, [...insert.params, ...stored.params]);
  }

  private async run(sql: string, params: unknown[]): Promise<void> {
    await this.source.execute({ sql, params, columns: [] });
  }
}
