import { stat } from 'node:fs/promises';
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { ErrorCode, TributaryError } from '../errors/index.ts';
import { duckdbDialect, fileReader, materializedTable, type CompiledQuery } from '../planner/index.ts';
import type { DatasetConfig, DuckDBSourceConfig } from '../schema/index.ts';
import { rowsToArrow } from './rowsToArrow.ts';
import type { ExecuteOptions, Source } from './Source.ts';
import { sourceError } from './sourceErrors.ts';

/**
 * DuckDB in this process, over CSV, Parquet and JSON files (or its own tables): the
 * "SparkIt" of the original product. Each query gets its own connection, so queries run
 * in parallel; a timeout or an aborted request interrupts the connection.
 */
/** Sessions in UTC, as for Postgres: naive timestamps and dates are read as UTC. */
async function openInstance(path: string | null): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(path ?? ':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`set global TimeZone = 'UTC'`); // ICU is linked in; it cannot be set at create
  } finally {
    connection.closeSync();
  }
  return instance;
}

export class DuckDBSource implements Source {
  readonly kind = 'duckdb';
  readonly dialect = duckdbDialect;
  readonly name: string;
  private readonly timeoutMs: number;
  private readonly instance: Promise<DuckDBInstance>;

  constructor(config: DuckDBSourceConfig) {
    this.name = config.name;
    this.timeoutMs = config.statementTimeoutMs;
    this.instance = openInstance(config.path);
    this.instance.catch(() => {}); // reported by the first query
  }

  /**
   * With `maxRows`, the result is streamed and read chunk by chunk until that many rows:
   * DuckDB aggregates with a hash table whatever is read, and the rest is never materialized.
   */
  async execute(query: CompiledQuery, options: ExecuteOptions = {}): Promise<Table> {
    const rows = await this.run(query.sql, query.params, options.signal, this.timeoutMs, options.maxRows);
    return rowsToArrow(query.columns, rows);
  }

  /** Loads `materialize: true` file datasets into tables, once, logging progress. */
  async prepare(datasets: readonly DatasetConfig[], log: (line: string) => void = () => {}): Promise<void> {
    for (const d of datasets) {
      if (d.from.kind !== 'file' || !d.from.materialize) continue;
      const table = this.dialect.quoteIdent(materializedTable(d));
      const bytes = (await stat(d.from.path).catch(() => null))?.size;
      const started = Date.now();
      log(`materializing ${d.name}: loading ${d.from.path}${bytes ? ` (${(bytes / 1e6).toFixed(1)} MB)` : ''}`);
      const ticker = setInterval(() => log(`materializing ${d.name}: ${((Date.now() - started) / 1000).toFixed(0)} s`), 2_000);
      try {
        await this.run(`create or replace table ${table} as select * from ${fileReader(d.from.path, d.from.format)}`, [], undefined, 0);
        const [[count]] = (await this.run(`select count(*)::DOUBLE from ${table}`, [])) as [[number]];
        log(`materialized ${d.name}: ${count.toLocaleString('en-US')} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      } finally {
        clearInterval(ticker);
      }
    }
  }

  async estimateRows(): Promise<number | null> {
    return null; // DuckDB's EXPLAIN has no machine-readable estimate; cores are fetched whole
  }

  async columnsOf(fromSql: string): Promise<readonly string[]> {
    const connection = await this.connect();
    try {
      const result = await connection.run(`select * from ${fromSql} as t limit 0`);
      return result.columnNames();
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
    } finally {
      connection.closeSync();
    }
  }

  async ping(): Promise<void> {
    await this.run('select 1', []);
  }

  async close(): Promise<void> {
    const instance = await this.instance.catch(() => null);
    instance?.closeSync();
  }

  private async connect(): Promise<DuckDBConnection> {
    try {
      return await (await this.instance).connect();
    } catch (error) {
      throw new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `source ${this.name} is unavailable: ${(error as Error).message}`, { source: this.name }, error);
    }
  }

  /** Runs SQL with bound parameters (JS arrays become DuckDB lists); rows as arrays. */
  private async run(sql: string, params: readonly unknown[], signal?: AbortSignal, timeoutMs = this.timeoutMs, maxRows?: number): Promise<unknown[][]> {
    signal?.throwIfAborted();
    const connection = await this.connect();
    let timedOut = false;
    const interrupt = () => connection.interrupt();
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), interrupt()), timeoutMs) : undefined;
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      const values = params.map((p) => (Array.isArray(p) ? listValue(p as DuckDBValue[]) : p)) as DuckDBValue[];
      if (maxRows !== undefined) {
        const reader = await connection.streamAndReadUntil(sql, maxRows, values);
        return (reader.getRows() as unknown[][]).slice(0, maxRows);
      }
      const result = await connection.run(sql, values);
      return (await result.getRows()) as unknown[][];
    } catch (error) {
      if (timedOut) {
        throw new TributaryError(ErrorCode.SOURCE_TIMEOUT, `source ${this.name}: query ran past the statement timeout of ${timeoutMs} ms`, { source: this.name }, error);
      }
      throw sourceError(this.name, error, { timeoutMs, aborted: signal?.aborted ?? false });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  }
}
