import type { DatasetConfig, Granularity } from '../schema/index.ts';

/** The types a parameter is bound as. */
export type ParamType = 'text' | 'float8' | 'boolean' | 'timestamptz' | 'timestamp' | 'int4' | 'int8';

/** What differs between the SQL the sources speak. One instance per source kind. */
export interface SqlDialect {
  readonly name: string;
  quoteIdent(name: string): string;
  /** Placeholder text of the 1-based `index`-th bound parameter. */
  placeholder(index: number): string;
  /** A bound parameter of a given type (`$3::float8`). */
  typedPlaceholder(index: number, type: ParamType, array?: boolean): string;
  /**
   * Start of the `granularity` bucket containing `column` as a wall-clock timestamp in the
   * zone named by the text parameter `zone`: the GROUP BY expression.
   */
  timeBucket(column: string, granularity: Granularity, zone: string): string;
  /** Start of the `granularity` bucket of a timestamp that is already wall-clock. */
  truncate(wallColumn: string, granularity: Granularity): string;
  /** A wall-clock timestamp as epoch milliseconds (see planner/time/zonedTime.ts). */
  wallEpochMs(wallTimestamp: string): string;
  /** The FROM item of a dataset (aliased `t` by the caller). */
  relation(dataset: DatasetConfig): string;
}

/** A table name as written in the config (`schema.table`), each part quoted. */
function quotedTable(table: string, quote: (name: string) => string): string {
  return table.split('.').map(quote).join('.');
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** PostgreSQL and PGlite. Naive `timestamp` columns are read as UTC (sessions run in UTC). */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  quoteIdent: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  typedPlaceholder: (index, type, array = false) => `$${index}::${type}${array ? '[]' : ''}`,
  timeBucket: (column, granularity, zone) => `date_trunc('${granularity}', (${column})::timestamptz at time zone ${zone})`,
  truncate: (wall, granularity) => `date_trunc('${granularity}', ${wall})`,
  wallEpochMs: (wall) => `(extract(epoch from ${wall}) * 1000)::float8`,
  relation: (dataset) => {
    const from = dataset.from;
    if (from.kind === 'table') return quotedTable(from.table, postgresDialect.quoteIdent);
    if (from.kind === 'sql') return `(${from.sql})`;
    throw new Error(`dataset ${dataset.name}: file datasets need a duckdb source`);
  },
};

const DUCKDB_TYPES = { text: 'VARCHAR', float8: 'DOUBLE', boolean: 'BOOLEAN', timestamptz: 'TIMESTAMPTZ', timestamp: 'TIMESTAMP', int4: 'INTEGER', int8: 'BIGINT' } as const;

/** The table a `materialize: true` file dataset is loaded into. */
export function materializedTable(dataset: DatasetConfig): string {
  return `tributary_${dataset.name}`;
}

/**
 * DuckDB, over files or tables. `timezone(zone, ts)` gives the wall-clock timestamp;
 * file datasets read with DuckDB's readers (file paths come from the config only).
 */
export const duckdbDialect: SqlDialect = {
  name: 'duckdb',
  quoteIdent: postgresDialect.quoteIdent,
  placeholder: (index) => `$${index}`,
  typedPlaceholder: (index, type, array = false) => `$${index}::${DUCKDB_TYPES[type]}${array ? '[]' : ''}`,
  timeBucket: (column, granularity, zone) => `date_trunc('${granularity}', timezone(${zone}, (${column})::TIMESTAMPTZ))`,
  truncate: (wall, granularity) => `date_trunc('${granularity}', ${wall})`,
  wallEpochMs: (wall) => `epoch_ms(${wall})::DOUBLE`,
  relation: (dataset) => {
    const from = dataset.from;
    if (from.kind === 'table') return quotedTable(from.table, duckdbDialect.quoteIdent);
    if (from.kind === 'sql') return `(${from.sql})`;
    if (from.materialize) return duckdbDialect.quoteIdent(materializedTable(dataset));
    return fileReader(from.path, from.format);
  },
};

export function fileReader(path: string, format: 'csv' | 'parquet' | 'json'): string {
  if (format === 'parquet') return `read_parquet(${sqlString(path)})`;
  if (format === 'json') return `read_json_auto(${sqlString(path)})`;
  return `read_csv(${sqlString(path)}, header = true)`;
}
