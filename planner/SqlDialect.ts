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
   * Start of the `granularity` bucket containing `column`, as wall-clock epoch milliseconds
   * in the zone named by the text parameter `zone` (see planner/time/zonedTime.ts).
   */
  timeBucket(column: string, granularity: Granularity, zone: string): string;
}

/** PostgreSQL and PGlite. Naive `timestamp` columns are read as UTC (sessions run in UTC). */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  quoteIdent: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  typedPlaceholder: (index, type, array = false) => `$${index}::${type}${array ? '[]' : ''}`,
  timeBucket: (column, granularity, zone) =>
    `(extract(epoch from date_trunc('${granularity}', (${column})::timestamptz at time zone ${zone})) * 1000)::float8`,
};
