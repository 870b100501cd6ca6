import { landingLeaves, type StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import { WindowOperator, type StreamEvent, type WindowState } from './window/index.ts';

const SQL_TYPE = { string: 'text', number: 'double precision', boolean: 'boolean', time: 'timestamptz' } as const;
const ROWS_PER_STATEMENT = 500;
/** Rows one attempt writes, so that a queue built up during an outage drains in steps. */
const ROWS_PER_ATTEMPT = 5_000;
/**
 * Rows of closed windows held while the table cannot be written. Past it the oldest
 * windows are dropped (counted in `droppedWindows`, logged), so memory stays bounded
 * through any outage: about 100 minutes of 1-minute windows of 1,000 groups each.
 */
export const MAX_PENDING_ROWS = 100_000;
/** Backoff between failed attempts: doubling from the first to the last. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/**
 * Lands a stream's closed tumbling windows (of `landing.window`) in a table, one row per
 * window and dimension combination, as idempotent upserts keyed by window start and
 * dimensions: a window recomputed from the same events writes the same row. Windows that
 * began before the feed's start are skipped, since the feed did not see all their events
 * (an earlier run landed them). Writes are serialized in closing order.
 *
 * A failed write is retried with backoff until it succeeds, with the windows closed
 * meanwhile queued behind it (bounded by MAX_PENDING_ROWS): since rows are upserted by key,
 * writing a window again after a failure that left part of it written lands it once.
 */
export class LandingWriter {
  private readonly operator: WindowOperator;
  private readonly dims: string[];
  /** Each landed column and the operator measure it reads (avg lands as two: sum, count). */
  private readonly leaves: { input: string; leaf: 'sum' | 'count' | 'min' | 'max'; column: string }[];
  private readonly averages: string[];
  /** Closed windows not yet written, in closing order; the batch in flight is not in it. */
  private queue: WindowState[] = [];
  private queuedRows = 0;
  private draining: Promise<void> | null = null;
  private stopped = false;
  private wake: (() => void) | null = null;
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
  ) {
    this.dims = Object.keys(stream.dimensions);
    const measures = Object.values(stream.measures);
    this.averages = measures.filter((m) => m.aggregation === 'avg').map((m) => m.name);
    this.leaves = measures.flatMap((m) =>
      landingLeaves(m).map((leaf) => ({ input: m.aggregation === 'avg' ? `${m.name}__${leaf}` : m.name, leaf, column: `${m.name}_${leaf}` })),
    );
    this.operator = new WindowOperator({
      window: { kind: 'tumble', sizeMs: stream.landing!.windowMs },
      graceMs: stream.graceMs,
      groupBy: this.dims,
      measures: this.leaves.map((l) => ({ name: l.input, aggregation: l.input.includes('__') ? l.leaf : stream.measures[l.input]!.aggregation })),
    });
  }

  /** Creates the landing table when it does not exist. */
  async ensureTable(): Promise<void> {
    const q = this.source.dialect.quoteIdent;
    const columns = [
      `${q('window_start')} timestamptz not null`,
      `${q('window_end')} timestamptz not null`,
      ...this.dims.map((d) => `${q(d)} ${SQL_TYPE[this.stream.dimensions[d]!.type]}`),
      ...this.leaves.map((l) => `${q(l.column)} double precision`),
    ];
    const key = [q('window_start'), ...this.dims.map(q)].join(', ');
    await this.run(`create table if not exists ${this.table()} (${columns.join(', ')}, unique nulls not distinct (${key}))`, []);
  }

  add(batch: readonly StreamEvent[]): void {
    for (const e of batch) this.operator.add(this.averages.length ? withAverageParts(e, this.averages) : e);
    const finals = this.operator.closeDue().filter((w) => w.start >= this.feedStartedAt);
    if (finals.length === 0 || this.stopped) return;
    this.enqueue(finals, 'back');
    this.startDraining();
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

  private takeBatch(): WindowState[] {
    let rows = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.rows.length <= ROWS_PER_ATTEMPT)) rows += this.queue[n++]!.rows.length;
    this.queuedRows -= rows;
    return this.queue.splice(0, n);
  }

  private enqueue(windows: readonly WindowState[], end: 'front' | 'back'): void {
    if (end === 'front') this.queue.unshift(...windows);
    else this.queue.push(...windows);
    for (const w of windows) this.queuedRows += w.rows.length;
    let dropped = 0;
    while (this.queuedRows > MAX_PENDING_ROWS && this.queue.length > 1) {
      this.queuedRows -= this.queue.shift()!.rows.length;
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

  private async land(windows: readonly WindowState[]): Promise<void> {
    const q = this.source.dialect.quoteIdent;
    const columns = ['window_start', 'window_end', ...this.dims, ...this.leaves.map((l) => l.column)];
    const rows = windows.flatMap((w) =>
      w.rows.map((r) => [
        new Date(w.start).toISOString(),
        new Date(w.end).toISOString(),
        ...this.dims.map((d) => r.dims[d] ?? null),
        ...this.leaves.map((l) => r.measures[l.input] ?? (l.leaf === 'count' ? 0 : null)),
      ]),
    );
    const key = ['window_start', ...this.dims].map(q).join(', ');
    const update = columns.slice(1).filter((c) => !this.dims.includes(c)).map((c) => `${q(c)} = excluded.${q(c)}`);
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
      const params: unknown[] = [];
      const values = chunk.map((row) => `(${row.map((v, j) => `$${params.push(v)}${j < 2 ? '::timestamptz' : ''}`).join(', ')})`);
      await this.run(
        `insert into ${this.table()} (${columns.map(q).join(', ')}) values ${values.join(', ')} on conflict (${key}) do update set ${update.join(', ')}`,
        params,
      );
    }
  }

  private table(): string {
    return this.stream.landing!.table.split('.').map(this.source.dialect.quoteIdent).join('.');
  }

  private async run(sql: string, params: unknown[]): Promise<void> {
    await this.source.execute({ sql, params, columns: [] });
  }
}

/** An avg measure lands as a sum and a count over the same input. */
function withAverageParts(e: StreamEvent, averages: readonly string[]): StreamEvent {
  const values = { ...e.values };
  for (const m of averages) values[`${m}__sum`] = values[`${m}__count`] = e.values[m] ?? null;
  return { ...e, values };
}
