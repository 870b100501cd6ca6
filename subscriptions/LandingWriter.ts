import { landingLeaves, type StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import { WindowOperator, type StreamEvent, type WindowState } from './window/index.ts';

const SQL_TYPE = { string: 'text', number: 'double precision', boolean: 'boolean', time: 'timestamptz' } as const;
const ROWS_PER_STATEMENT = 500;

/**
 * Lands a stream's closed tumbling windows (of `landing.window`) in a table, one row per
 * window and dimension combination, as idempotent upserts keyed by window start and
 * dimensions: a window recomputed from the same events writes the same row. Windows that
 * began before the feed's start are skipped, since the feed did not see all their events
 * (an earlier run landed them). Writes are serialized in closing order.
 */
export class LandingWriter {
  private readonly operator: WindowOperator;
  private readonly dims: string[];
  /** Each landed column and the operator measure it reads (avg lands as two: sum, count). */
  private readonly leaves: { input: string; leaf: 'sum' | 'count' | 'min' | 'max'; column: string }[];
  private readonly averages: string[];
  private writing: Promise<void> = Promise.resolve();
  landedWindows = 0;

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
    if (finals.length === 0) return;
    this.writing = this.writing.then(() => this.land(finals)).catch(this.onError);
  }

  /** Resolves when every window closed so far is written. */
  settled(): Promise<void> {
    return this.writing;
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
    this.landedWindows += windows.length;
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
