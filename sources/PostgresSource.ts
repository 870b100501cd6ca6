import pg from 'pg';
import type { Table } from 'apache-arrow';
import { postgresDialect, type CompiledQuery } from '../planner/index.ts';
import type { PostgresSourceConfig } from '../schema/index.ts';
import { explainSql, planRowsOf } from './estimateRows.ts';
import { rowsToArrow } from './rowsToArrow.ts';
import type { Source } from './Source.ts';
import { sourceError } from './sourceErrors.ts';

/**
 * A PostgreSQL server through a pg Pool. Sessions run in UTC with the source's
 * statement_timeout. An aborted request cancels its backend with pg_cancel_backend.
 */
export class PostgresSource implements Source {
  readonly kind = 'postgres';
  readonly dialect = postgresDialect;
  readonly name: string;
  private readonly pool: pg.Pool;
  private readonly timeoutMs: number;

  constructor(config: PostgresSourceConfig) {
    this.name = config.name;
    this.timeoutMs = config.statementTimeoutMs;
    this.pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      statement_timeout: config.statementTimeoutMs,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'tributary',
      options: '-c TimeZone=UTC',
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => {});
  }

  async execute(query: CompiledQuery, options: { readonly signal?: AbortSignal } = {}): Promise<Table> {
    const { signal } = options;
    let client: pg.PoolClient;
    try {
      signal?.throwIfAborted();
      client = await this.pool.connect();
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: signal?.aborted ?? false });
    }
    const cancel = () => void this.cancelBackend((client as unknown as { processID: number }).processID);
    signal?.addEventListener('abort', cancel, { once: true });
    let broken: Error | undefined;
    try {
      const result = await client.query({ text: query.sql, values: query.params as unknown[], rowMode: 'array' });
      return rowsToArrow(query.columns, result.rows);
    } catch (error) {
      if (!(error as { code?: string }).code) broken = error as Error; // a connection failure: drop the client
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: signal?.aborted ?? false });
    } finally {
      signal?.removeEventListener('abort', cancel);
      client.release(broken);
    }
  }

  private async cancelBackend(pid: number): Promise<void> {
    try {
      await this.pool.query('select pg_cancel_backend($1)', [pid]);
    } catch {
      // The query ends on its own at statement_timeout if the cancel cannot be sent.
    }
  }

  async estimateRows(query: CompiledQuery): Promise<number | null> {
    try {
      const result = await this.pool.query<unknown[]>({ text: explainSql(query), values: query.params as unknown[], rowMode: 'array' });
      return planRowsOf(result.rows[0]?.[0]);
    } catch {
      return null; // an estimate is advice; the query itself reports real errors
    }
  }

  async columnsOf(fromSql: string): Promise<readonly string[]> {
    try {
      const result = await this.pool.query(`select * from ${fromSql} as t limit 0`);
      return result.fields.map((f) => f.name);
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('select 1');
    } catch (error) {
      throw sourceError(this.name, error, { timeoutMs: this.timeoutMs, aborted: false });
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
