import type { Table } from 'apache-arrow';
import { trinoDialect, type ColumnTypes, type CompiledQuery } from '../planner/index.ts';
import type { TrinoSourceConfig } from '../schema/index.ts';
import { rowsToArrow } from './rowsToArrow.ts';
import type { ExecuteOptions, Source } from './Source.ts';
import { trinoColumnTypes } from './TrinoColumnTypes.ts';
import { trinoSourceError } from './TrinoErrors.ts';
import { estimatedOutputRows } from './TrinoEstimate.ts';
import { runTrinoStatement, type TrinoConnection, type TrinoProgress, type TrinoResult } from './TrinoProtocol.ts';
import { executeImmediate } from './TrinoStatement.ts';

const PING_TIMEOUT_MS = 10_000;


/**
 * A Trino cluster (a distributed SQL engine over lakes and databases) through its HTTP
 * protocol. Each query is one `EXECUTE IMMEDIATE` whose values are bound parameters
 * (TrinoStatement.ts); sessions run in UTC with the configured catalog and schema.
 * An aborted request or the statement timeout cancels the query at Trino (DELETE nextUri).
 * Progress of running queries (state, splits, rows) is reported to `onProgress`, kept for
 * `running()`, and logged every 5 s through `log`.
 */
export class TrinoSource implements Source {
  readonly kind = 'trino';
  readonly dialect = trinoDialect;
  readonly estimatesForPushdown = true;
  readonly name: string;
  private readonly connection: TrinoConnection;
  private readonly timeoutMs: number;
  private readonly types = new Map<string, ColumnTypes>();
  private readonly inFlight = new Map<string, TrinoProgress>();

  constructor(
    config: TrinoSourceConfig,
    private readonly log: (line: string) => void = () => {},
    /** How often a running query's progress is logged. */
    private readonly logEveryMs = 5_000,
  ) {
    this.name = config.name;
    this.timeoutMs = config.statementTimeoutMs;
    const headers: Record<string, string> = {
      'X-Trino-User': config.user,
      'X-Trino-Source': 'tributary',
      'X-Trino-Catalog': config.catalog,
      'X-Trino-Schema': config.schema,
      'X-Trino-Time-Zone': 'UTC',
    };
    if (config.password !== null) headers.Authorization = `Basic ${Buffer.from(`${config.user}:${config.password}`).toString('base64')}`;
    this.connection = { url: config.url.replace(/\/+$/, ''), headers };
  }

  async execute(query: CompiledQuery, options: ExecuteOptions = {}): Promise<Table> {
    const result = await this.run(executeImmediate(query.sql, query.params), options);
    return rowsToArrow(query.columns, result.rows);
  }

  /** The planner's estimate of the output rows (EXPLAIN (TYPE IO)); null when Trino has no statistics. */
  async estimateRows(query: CompiledQuery, options: { readonly signal?: AbortSignal } = {}): Promise<number | null> {
    try {
      const { rows } = await this.run(`explain (type io, format json) ${executeImmediate(query.sql, query.params)}`, options.signal ? { signal: options.signal } : {});
      return estimatedOutputRows(rows[0]?.[0]);
    } catch {
      return null; // an estimate is advice; the query itself reports real errors
    }
  }

  async columnsOf(fromSql: string): Promise<readonly string[]> {
    const { columns } = await this.run(`select * from ${fromSql} as t limit 0`, {});
    if (this.types.size >= 1_000) this.types.clear();
    this.types.set(fromSql, trinoColumnTypes(columns));
    return columns.map((c) => c.name);
  }

  columnTypesOf(fromSql: string): ColumnTypes | undefined {
    return this.types.get(fromSql);
  }

  /** The latest stats of every query this source is running now. */
  running(): readonly TrinoProgress[] {
    return [...this.inFlight.values()];
  }

  /** `select 1` within 10 s (or the statement timeout, if shorter): readiness must not hang on a stuck coordinator. */
  async ping(): Promise<void> {
    await this.run('select 1', {}, Math.min(PING_TIMEOUT_MS, this.timeoutMs || PING_TIMEOUT_MS));
  }

  async close(): Promise<void> {
    // Stateless HTTP: nothing is held between queries.
  }

  private async run(statement: string, options: ExecuteOptions, timeoutMs = this.timeoutMs): Promise<TrinoResult> {
    const { signal, maxRows } = options;
    const controller = new AbortController();
    let timedOut = false;
    const abort = () => controller.abort(signal?.reason);
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs) : undefined;
    if (signal?.aborted) abort();
    else signal?.addEventListener('abort', abort, { once: true });
    let queryId: string | null = null;
    let lastLog = Date.now();
    const onProgress = (progress: TrinoProgress) => {
      queryId = progress.queryId;
      this.inFlight.set(progress.queryId, progress);
      options.onProgress?.(progress);
      if (Date.now() - lastLog >= this.logEveryMs) {
        lastLog = Date.now();
        this.log(`source ${this.name}: query ${describeProgress(progress)}`);
      }
    };
    try {
      return await runTrinoStatement(this.connection, statement, { signal: controller.signal, ...(maxRows !== undefined ? { maxRows } : {}), onProgress });
    } catch (error) {
      throw trinoSourceError(this.name, error, { timeoutMs, aborted: signal?.aborted ?? false, timedOut });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      if (queryId) this.inFlight.delete(queryId);
    }
  }
}

/** `20261201_…_00012 RUNNING 14/40 splits, 2,400,000 rows, 3.2 s`. */
export function describeProgress(p: TrinoProgress): string {
  const percent = p.percent === null ? '' : ` (${p.percent.toFixed(0)}%)`;
  return `${p.queryId} ${p.state} ${p.completedSplits}/${p.totalSplits} splits${percent}, ${p.processedRows.toLocaleString('en-US')} rows, ${(p.elapsedMs / 1000).toFixed(1)} s`;
}
