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
  /**
   * The `zone` argument of timeBucket for a dataset's time zone: a bound text parameter
   * (`bind`), or where a dialect needs the zone to be the same expression in select and
   * group by (Trino cannot tell two parameters are equal), a string literal: the zone is
   * a validated IANA name from the config, never a request value.
   */
  zoneArgument(timezone: string, bind: (zone: string) => string): string;
  /** Start of the `granularity` bucket of a timestamp that is already wall-clock. */
  truncate(wallColumn: string, granularity: Granularity): string;
  /** A wall-clock timestamp as epoch milliseconds (see planner/time/zonedTime.ts). */
  wallEpochMs(wallTimestamp: string): string;
  /** The FROM item of a dataset (aliased `t` by the caller). */
  relation(dataset: DatasetConfig): string;
  /** `sql` converted to a SQL type (`sum(x)::float8`); the caller parenthesizes `sql` where needed. */
  cast(sql: string, type: CastType): string;
  /**
   * `field` is one of `members` (an SQL `IN`): bound as one array parameter where the
   * source takes arrays, else one parameter per member. Holds for no row when empty.
   */
  memberOf(field: string, members: readonly unknown[], type: ParamType, bind: BindParam): string;
  /** What follows a text sort key so text sorts by code point, as JavaScript sorts it. */
  readonly codePointOrder: string;
  /** The clauses that skip `offset` rows and keep `limit` (each a bound placeholder or null). */
  limitOffset(limit: string | null, offset: string | null): readonly string[];
}

/** Types `cast` converts to: float arithmetic, exact decimals (rounding), integers. */
export type CastType = 'float8' | 'numeric' | 'int';

/** Binds a value (an array of members when `array`) and returns its placeholder. */
export type BindParam = (value: unknown, type?: ParamType, array?: boolean) => string;

/** The PostgreSQL forms of cast, memberOf, codePointOrder and limitOffset, shared by DuckDB. */
const postgresLike = {
  zoneArgument: (timezone: string, bind: (zone: string) => string) => bind(timezone),
  cast: (sql: string, type: CastType) => `${sql}::${type}`,
  memberOf: (field: string, members: readonly unknown[], type: ParamType, bind: BindParam) => `${field} = any(${bind(members, type, true)})`,
  codePointOrder: ' collate "C"',
  limitOffset: (limit: string | null, offset: string | null) => [...(limit ? [`limit ${limit}`] : []), ...(offset ? [`offset ${offset}`] : [])],
};

/** A table name as written in the config (`schema.table`), each part quoted. */
export function quotedTable(table: string, quote: (name: string) => string): string {
  return table.split('.').map(quote).join('.');
}

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** PostgreSQL and PGlite. Naive `timestamp` columns are read as UTC (sessions run in UTC). */
export const postgresDialect: SqlDialect = {
  ...postgresLike,
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
  ...postgresLike,
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
