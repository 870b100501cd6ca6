import type { Granularity } from '../schema/index.ts';

/** What differs between the SQL the sources speak. One instance per source kind. */
export interface SqlDialect {
  readonly name: string;
  quoteIdent(name: string): string;
  /** Placeholder text of the 1-based `index`-th bound parameter. */
  placeholder(index: number): string;
  /** A bound parameter of a given type (`$3::float8`). */
  typedPlaceholder(index: number, type: 'text' | 'float8' | 'boolean' | 'timestamptz', array?: boolean): string;
  /**
   * Start of the `granularity` bucket containing `column` as a wall-clock timestamp in the
   * zone named by the text parameter `zone`: the GROUP BY expression.
   */
  timeBucket(column: string, granularity: Granularity, zone: string): string;
  /** A wall-clock timestamp as epoch milliseconds (see planner/time/zonedTime.ts). */
  wallEpochMs(wallTimestamp: string): string;
}

/** PostgreSQL and PGlite. Naive `timestamp` columns are read as UTC (sessions run in UTC). */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  quoteIdent: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  typedPlaceholder: (index, type, array = false) => `$${index}::${type}${array ? '[]' : ''}`,
  timeBucket: (column, granularity, zone) => `date_trunc('${granularity}', (${column})::timestamptz at time zone ${zone})`,
  wallEpochMs: (wall) => `(extract(epoch from ${wall}) * 1000)::float8`,
};
