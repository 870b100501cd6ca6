import type { Table } from 'apache-arrow';
import type { ColumnTypes, CompiledQuery, SqlDialect } from '../planner/index.ts';

export interface ExecuteOptions {
  /** Aborting it cancels the query at the source. */
  readonly signal?: AbortSignal;
  /**
   * Read at most this many rows. The SQL is sent as it is (no LIMIT is added), so the
   * source plans it for the whole result and aggregates as it would for a full read; only
   * the reading stops early (Postgres: rows counted as they stream, the backend cancelled
   * past the bound; PGlite: a cursor; DuckDB: a stream).
   */
  readonly maxRows?: number;
  /** Progress of a running query, where the source reports it (Trino: every protocol page). */
  readonly onProgress?: (progress: SourceProgress) => void;
}

/** How far a running source query got (Trino's stats). */
export interface SourceProgress {
  readonly queryId: string;
  readonly state: string;
  readonly completedSplits: number;
  readonly totalSplits: number;
  readonly processedRows: number;
  readonly elapsedMs: number;
  /** 0..100 when the source can tell. */
  readonly percent: number | null;
}

/**
 * One database Tributary pushes work down to. Adapters are small: they run SQL their
 * dialect compiled and hand back Arrow, and they translate their own failures into
 * the error registry (SOURCE_UNAVAILABLE, SOURCE_TIMEOUT, SOURCE_ERROR).
 */
export interface Source {
  readonly name: string;
  readonly kind: string;
  readonly dialect: SqlDialect;
  /** Runs a compiled query. Aborting `signal` cancels the query at the source. */
  execute(query: CompiledQuery, options?: ExecuteOptions): Promise<Table>;
  /**
   * The source planner's estimate of how many rows a query returns (for a grouped core:
   * how many groups), or null when it cannot say. Runs nothing but the planner.
   */
  estimateRows(query: CompiledQuery, options?: { readonly signal?: AbortSignal }): Promise<number | null>;
  /**
   * The cache asks estimateRows before a top-N's bounded read (cache/LargeCores.ts): set
   * where the estimate is cheap next to a bounded read of a huge core (Trino, which must
   * finish a distributed aggregate before it can stop reading).
   */
  readonly estimatesForPushdown?: boolean;
  /**
   * Column names of a relation (`"public"."sales"` or `(select ...)`), for config checks.
   * A source that can tell the columns' SQL types remembers them for columnTypesOf.
   */
  columnsOf(fromSql: string): Promise<readonly string[]>;
  /** The SQL types columnsOf saw for a relation; undefined when unknown (never described, or the source cannot tell). */
  columnTypesOf?(fromSql: string): ColumnTypes | undefined;
  /** Optional start-up work for the datasets on this source (DuckDB: materialize files). */
  prepare?(datasets: readonly import('../schema/index.ts').DatasetConfig[], log?: (line: string) => void): Promise<void>;
  /** Resolves when the source answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
