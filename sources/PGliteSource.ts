import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Table } from 'apache-arrow';
import { ErrorCode, TributaryError } from '../errors/index.ts';
import { postgresDialect, type ColumnTypes, type CompiledQuery } from '../planner/index.ts';
import type { PGliteSourceConfig } from '../schema/index.ts';
import { ColumnTypeMemo } from './ColumnTypeMemo.ts';
import { DataDirLocked, lockDataDir } from './dataDirLock.ts';
import { explainSql, planRowsOf } from './estimateRows.ts';
import { rowsToArrow } from './rowsToArrow.ts';
import type { ExecuteOptions, Source } from './Source.ts';
import { sourceError } from './sourceErrors.ts';

/**
 * Embedded Postgres (PGlite, WebAssembly) in this process: the demo's default source.
 * PGlite runs one query at a time, and a query runs on this thread: while it runs, nothing
 * else does. So queries wait here in order (`inTurn`), and each starts only after a turn
 * of the event loop: socket writes and new requests get in between two statements (a
 * progressive answer's versions reach the client while its next slices run). A running
 * query cannot be interrupted; an aborted request skips the queries it has not started,
 * checked when their turn comes. A data directory is locked to one process
 * (dataDirLock.ts); the lock goes with close().
 */
export class PGliteSource implements Source {
  readonly kind = 'pglite';
  readonly dialect = postgresDialect;
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly db: Promise<PGlite>;
  /** Releases the data directory's lock; set once it is taken. */
  private release: (() => void) | null = null;
  private readonly types = new ColumnTypeMemo();
  /** Settles when the last query queued here has finished. */
  private turn: Promise<void> = Promise.resolve();

  constructor(config: PGliteSourceConfig) {
    this.name = config.name;
    this.timeoutMs = config.statementTimeoutMs;
    this.db = this.open(config);
    this.db.catch(() => {}); // reported by the first query or ping
  }

  async execute(query: CompiledQuery, options: ExecuteOptions = {}): Promise<Table> {
    try {
      return await this.inTurn(options.signal, async (db) => {
        if (options.maxRows !== undefined) return rowsToArrow(query.columns, await this.readBounded(db, query, options.maxRows));
        const result = await db.query<unknown[]>(query.sql, query.params as unknown[], { rowMode: 'array' });
        return rowsToArrow(query.columns, result.rows);
      });
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: options.signal?.aborted ?? false });
    }
  }

  async estimateRows(query: CompiledQuery): Promise<number | null> {
    try {
      const result = await this.inTurn(undefined, (db) => db.query<unknown[]>(explainSql(query), query.params as unknown[], { rowMode: 'array' }));
      return planRowsOf(result.rows[0]?.[0]);
    } catch {
      return null; // an estimate is advice; the query itself reports real errors
    }
  }

  async columnsOf(fromSql: string): Promise<readonly string[]> {
    try {
      const result = await (await this.db).query(`select * from ${fromSql} as t limit 0`);
      this.types.remember(fromSql, result.fields);
      return result.fields.map((f) => f.name);
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
    }
  }

  /** Runs `work` after every query queued before it, and a turn of the event loop; skipped when `signal` aborted meanwhile. */
  private inTurn<T>(signal: AbortSignal | undefined, work: (db: PGlite) => Promise<T>): Promise<T> {
    const previous = this.turn;
    let done!: () => void;
    this.turn = new Promise<void>((resolve) => (done = resolve));
    const run = async () => {
      await previous;
      await new Promise<void>((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      return work(await this.db);
    };
    const result = run();
    result.then(done, done);
    return result;
  }

  columnTypesOf(fromSql: string): ColumnTypes | undefined {
    return this.types.get(fromSql);
  }

  /**
   * At most `maxRows` rows through a cursor in a transaction of its own. A cursor is
   * planned for a fraction (cursor_tuple_fraction) of its rows; set to 1, it is planned
   * for the whole result, as the plain statement is, so the aggregation strategy is the same.
   */
  private async readBounded(db: PGlite, query: CompiledQuery, maxRows: number): Promise<unknown[][]> {
    return db.transaction(async (tx) => {
      await tx.exec('set local cursor_tuple_fraction = 1');
      await tx.query(`declare tributary_bounded no scroll cursor for ${query.sql}`, query.params as unknown[]);
      const fetched = await tx.query<unknown[]>(`fetch forward ${Math.floor(maxRows)} from tributary_bounded`, [], { rowMode: 'array' });
      await tx.exec('close tributary_bounded');
      return fetched.rows;
    });
  }

  async ping(): Promise<void> {
    try {
      await (await this.db).query('select 1');
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
    }
  }

  async close(): Promise<void> {
    const db = await this.db.catch(() => null);
    try {
      await db?.close();
    } finally {
      this.release?.();
    }
  }

  private async open(config: PGliteSourceConfig): Promise<PGlite> {
    if (config.dataDir) {
      await mkdir(config.dataDir, { recursive: true });
      // One process per data directory (sources/dataDirLock.ts); a second one is told who holds it.
      try {
        this.release = lockDataDir(config.dataDir);
      } catch (error) {
        if (!(error instanceof DataDirLocked)) throw error;
        throw new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `source ${this.name} is unavailable: ${error.message}`, { source: this.name }, error);
      }
    }
    try {
      const db = new PGlite(config.dataDir ?? undefined);
      await db.waitReady;
      await db.exec(`set TimeZone = 'UTC'; set statement_timeout = ${Math.floor(config.statementTimeoutMs)}`);
      return db;
    } catch (error) {
      this.release?.();
      throw error;
    }
  }
}
