import type { Table } from 'apache-arrow';
import type pg from 'pg';
import { postgresDialect, type ColumnTypes, type CompiledQuery } from '../planner/index.ts';
import type { PostgresSourceConfig } from '../schema/index.ts';
import { cancelBackend } from './cancelBackend.ts';
import { ColumnTypeMemo } from './ColumnTypeMemo.ts';
import { explainSql, planRowsOf } from './estimateRows.ts';
import { PostgresPool } from './PostgresPool.ts';
import { queryOnce } from './queryOnce.ts';
import { readBounded } from './readBounded.ts';
import { rowsToArrow } from './rowsToArrow.ts';
import type { ExecuteOptions, Source } from './Source.ts';
import { PoolBusyError, sourceError } from './sourceErrors.ts';

/**
 * A PostgreSQL server through a pool that survives lost connections (PostgresPool).
 * Sessions run in UTC with the source's statement_timeout and application_name
 * `tributary` (an `application_name` in the URL wins, so operators and tests can tell
 * gateways apart). An aborted request cancels its backend over a connection of its own.
 */
export class PostgresSource implements Source {
  readonly kind = 'postgres';
  readonly dialect = postgresDialect;
  readonly name: string;
  private readonly pool: PostgresPool;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly types = new ColumnTypeMemo();

  constructor(config: PostgresSourceConfig) {
    this.name = config.name;
    this.timeoutMs = config.statementTimeoutMs;
    this.connectTimeoutMs = config.connectTimeoutMs;
    // pg lets settings parsed from connectionString override these fields.
    const connection: pg.ClientConfig = {
      connectionString: config.url,
      statement_timeout: config.statementTimeoutMs,
      application_name: 'tributary',
      options: '-c TimeZone=UTC',
    };
    this.pool = new PostgresPool(connection, config.poolSize, config.connectTimeoutMs);
  }

  async execute(query: CompiledQuery, options: ExecuteOptions = {}): Promise<Table> {
    const { signal, maxRows } = options;
    let client: pg.PoolClient;
    try {
      client = await this.pool.checkout(signal);
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: signal?.aborted ?? false });
    }
    let cancelling: Promise<void> | undefined;
    const cancel = () => {
      cancelling = cancelBackend(this.pool.connection, (client as unknown as { processID: number }).processID, this.connectTimeoutMs);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    let failure: unknown;
    try {
      if (maxRows !== undefined) {
        // Past the bound, the rest of the statement is cancelled like an aborted request's.
        return rowsToArrow(query.columns, await readBounded(client, query.sql, query.params as unknown[], maxRows, () => cancelling ?? cancel()));
      }
      const result = await client.query({ text: query.sql, values: query.params as unknown[], rowMode: 'array' });
      return rowsToArrow(query.columns, result.rows);
    } catch (error) {
      failure = error;
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: signal?.aborted ?? false });
    } finally {
      signal?.removeEventListener('abort', cancel);
      // Keep the backend until its cancel is done (bounded by its deadline): released
      // earlier, it could already run another request's query when the cancel lands.
      if (cancelling) await cancelling;
      this.pool.release(client, failure);
    }
  }

  async estimateRows(query: CompiledQuery): Promise<number | null> {
    try {
      const result = await this.pool.query({ text: explainSql(query), values: query.params as unknown[], rowMode: 'array' });
      return planRowsOf(result.rows[0]?.[0]);
    } catch {
      return null; // an estimate is advice; the query itself reports real errors
    }
  }

  async columnsOf(fromSql: string): Promise<readonly string[]> {
    try {
      const result = await this.pool.query({ text: `select * from ${fromSql} as t limit 0` });
      this.types.remember(fromSql, result.fields);
      return result.fields.map((f) => f.name);
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
    }
  }

  columnTypesOf(fromSql: string): ColumnTypes | undefined {
    return this.types.get(fromSql);
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query({ text: 'select 1' });
    } catch (error) {
      if (!(error instanceof PoolBusyError)) throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
      // Every pooled connection is busy: ask over a connection of our own whether the server answers.
      await queryOnce(this.pool.connection, { text: 'select 1' }, this.connectTimeoutMs).catch((cause: unknown) => {
        throw sourceError(this.name, cause, { timeoutMs: this.timeoutMs, aborted: false });
      });
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
