import type { DatasetConfig } from '../schema/index.ts';
import type { ColumnTypes } from './columns/ColumnTypes.ts';
import type { CompiledQuery } from './compileSql.ts';
import { postgresDialect, type SqlDialect } from './SqlDialect.ts';

/**
 * The first and last value of a time dimension over the whole dataset, as wall-clock epoch
 * milliseconds in the dataset's zone (columns `first` and `last`, null when it has no rows).
 * Progressive answers slice a query's time range along it.
 *
 * Only the two aggregates are converted, never each row, so a source with an index on the
 * column answers from the index (PostgreSQL turns a bare min/max into two index probes).
 * Nothing from a request reaches this statement: the zone comes from the config.
 */
export function compileExtent(dataset: DatasetConfig, dimension: string, dialect: SqlDialect = postgresDialect, columnTypes?: ColumnTypes): CompiledQuery {
  const params: unknown[] = [];
  const column = dataset.dimensions[dimension]!.column;
  const ref = `t.${dialect.quoteIdent(column)}`;
  const zone = dialect.zoneArgument(dataset.timezone, (z) => {
    params.push(z);
    return dialect.typedPlaceholder(params.length, 'text');
  });
  // A naive timestamp in a UTC dataset is its own wall clock (as compileSql treats it).
  const naiveUtc = columnTypes?.get(column) === 'timestamp' && dataset.timezone === 'UTC';
  const wall = (aggregate: string) => dialect.wallEpochMs(naiveUtc ? dialect.truncate(aggregate, 'second') : dialect.timeBucket(aggregate, 'second', zone));
  const q = dialect.quoteIdent;
  return {
    sql: `select ${wall(`min(${ref})`)} as ${q('first')}, ${wall(`max(${ref})`)} as ${q('last')}\nfrom ${dialect.relation(dataset)} as t`,
    params,
    columns: [
      { name: 'first', type: 'time' },
      { name: 'last', type: 'time' },
    ],
  };
}
