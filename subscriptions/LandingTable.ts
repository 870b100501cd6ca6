import type { StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import type { LandingShape } from './landingShape.ts';
import type { WindowState } from './window/index.ts';

const SQL_TYPE = { string: 'text', number: 'double precision', boolean: 'boolean', time: 'timestamptz' } as const;
/** Attempts at creating or migrating the table (replicas starting together race on it). */
const ENSURE_ATTEMPTS = 3;

/**
 * The SQL of a landing table: one row per window, partition and dimension combination,
 * keyed by (window_start, dimensions, partition), with one column per measure leaf.
 */
export class LandingTable {
  private readonly name: string;
  private readonly columns: readonly string[];
  private readonly types: readonly string[];
  private readonly key: readonly string[];

  constructor(
    private readonly stream: StreamConfig,
    private readonly source: Source,
    private readonly shape: LandingShape,
  ) {
    this.name = stream.landing!.table.split('.').map(source.dialect.quoteIdent).join('.');
    this.columns = ['window_start', 'window_end', 'partition', ...shape.dims, ...shape.leaves.map((l) => l.column)];
    this.types = ['timestamptz', 'timestamptz', 'integer', ...shape.dims.map((d) => SQL_TYPE[stream.dimensions[d]!.type]), ...shape.leaves.map(() => 'double precision')];
    this.key = ['window_start', ...shape.dims, 'partition'];
  }

  /**
   * Creates the table when it does not exist, and migrates one landed before partitions: a
   * `partition` column (0 for its rows) and a key that includes it (the old key would make
   * two partitions' rows of one window collide). Retried: replicas starting together race.
   */
  async ensure(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ensureOnce();
      } catch (error) {
        if (attempt >= ENSURE_ATTEMPTS) throw error;
      }
    }
  }

  private async ensureOnce(): Promise<void> {
    const q = this.source.dialect.quoteIdent;
    const definitions = this.columns.map((c, i) => `${q(c)} ${this.types[i]}${i < 2 ? ' not null' : c === 'partition' ? ' not null default 0' : ''}`);
    await this.run(`create table if not exists ${this.name} (${definitions.join(', ')})`, []);
    await this.run(`alter table ${this.name} add column if not exists ${q('partition')} integer not null default 0`, []);
    const old = await this.source.execute({
      sql:
        `select c.conname::text from pg_constraint c where c.conrelid = to_regclass($1) and c.contype = 'u' ` +
        `and not exists (select 1 from pg_attribute a where a.attrelid = c.conrelid and a.attnum = any(c.conkey) and a.attname = 'partition')`,
      params: [this.name],
      columns: [{ name: 'name', type: 'string' }],
    });
    const names = old.getChild('name')!;
    for (let i = 0; i < old.numRows; i++) await this.run(`alter table ${this.name} drop constraint if exists ${q(String(names.get(i)))}`, []);
    const bare = this.stream.landing!.table.split('.').at(-1)!;
    await this.run(`create unique index if not exists ${q(`${bare}_landing_key`)} on ${this.name} (${this.key.map(q).join(', ')}) nulls not distinct`, []);
  }

  /**
   * The upsert of closed windows' rows, each column as one array parameter (unnest), so any
   * number of rows is one statement. A row appearing twice (the same window again) is
   * written once: a statement may not upsert one row twice.
   */
  upsert(windows: readonly { readonly partition: number; readonly window: WindowState }[]): { sql: string; params: unknown[] } {
    const q = this.source.dialect.quoteIdent;
    const { dims, leaves } = this.shape;
    const rows = new Map<string, unknown[]>();
    for (const { partition, window: w } of windows) {
      const start = new Date(w.start).toISOString();
      const end = new Date(w.end).toISOString();
      for (const r of w.rows) {
        const dimValues = dims.map((d) => r.dims[d] ?? null);
        rows.set(JSON.stringify([w.start, partition, dimValues]), [
          start,
          end,
          partition,
          ...dimValues,
          ...leaves.map((l) => r.measures[l.input] ?? (l.leaf === 'count' ? 0 : null)),
        ]);
      }
    }
    const values = [...rows.values()];
    const params = this.columns.map((_, c) => values.map((row) => row[c]));
    const update = this.columns.filter((c) => !this.key.includes(c)).map((c) => `${q(c)} = excluded.${q(c)}`);
    const sql =
      `insert into ${this.name} (${this.columns.map(q).join(', ')}) ` +
      `select * from unnest(${this.types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) ` +
      `on conflict (${this.key.map(q).join(', ')}) do update set ${update.join(', ')}`;
    return { sql, params };
  }

  private async run(sql: string, params: unknown[]): Promise<void> {
    await this.source.execute({ sql, params, columns: [] });
  }
}
