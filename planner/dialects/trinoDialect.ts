import type { CastType, ParamType, SqlDialect } from '../SqlDialect.ts';
import { quotedTable, sqlString } from '../SqlDialect.ts';

/** Trino's names of the types parameters are bound as. */
const TRINO_TYPES: Readonly<Record<ParamType, string>> = {
  text: 'varchar',
  float8: 'double',
  boolean: 'boolean',
  timestamptz: 'timestamp(3) with time zone',
  timestamp: 'timestamp(3)',
  int4: 'integer',
  int8: 'bigint',
};

const CASTS: Readonly<Record<CastType, string>> = { float8: 'double', numeric: 'double', int: 'integer' };

/**
 * Trino (https://trino.io/docs/476/language.html). Placeholders are written `$n` like
 * Postgres's, so one parameter can appear twice (the zone in a bucket's select and group
 * by); the Trino source rewrites them to the positional `?` of `EXECUTE ... USING` with the
 * values in the order the markers appear (sources/TrinoStatement.ts).
 *
 * Parameters reach Trino as literals of their JavaScript type; each is converted here to
 * the type it is compared with, a constant folded once by the planner, never a per-row cast:
 * times are ISO-8601 text (`from_iso8601_timestamp`), integers of int8 columns are text.
 *
 * Sessions run in UTC (the source sets X-Trino-Time-Zone), so dates and naive timestamps
 * are read as UTC, as in Postgres. A bucket is taken on the wall clock of the dataset's
 * zone: AT TIME ZONE, then the naive wall timestamp is truncated, so DST days have their
 * own length. The zone is a literal (zoneArgument): Trino sees two `?` as two values, so a
 * bound zone would make the select's bucket differ from the group by's.
 * Rounding (`numeric`) stays in double: Trino's round of a double rounds half away from zero.
 * Text sorts by UTF-8 bytes, which is code point order: no collation is needed.
 */
export const trinoDialect: SqlDialect = {
  name: 'trino',
  quoteIdent: (name) => `"${name.replaceAll('"', '""')}"`,
  placeholder: (index) => `$${index}`,
  typedPlaceholder: (index, type, array = false) => {
    const marker = `$${index}`;
    if (array) return `cast(${marker} as array(${TRINO_TYPES[type]}))`;
    if (type === 'timestamptz') return `from_iso8601_timestamp(${marker})`;
    if (type === 'timestamp') return `cast(replace(${marker}, 'T', ' ') as timestamp(3))`;
    return `cast(${marker} as ${TRINO_TYPES[type]})`;
  },
  zoneArgument: (timezone) => sqlString(timezone),
  timeBucket: (column, granularity, zone) =>
    `date_trunc('${granularity}', cast(cast(${column} as timestamp(3) with time zone) at time zone ${zone} as timestamp(3)))`,
  truncate: (wall, granularity) => `date_trunc('${granularity}', ${wall})`,
  wallEpochMs: (wall) => `cast(date_diff('millisecond', timestamp '1970-01-01 00:00:00.000', ${wall}) as double)`,
  relation: (dataset) => {
    const from = dataset.from;
    if (from.kind === 'table') return quotedTable(from.table, trinoDialect.quoteIdent);
    if (from.kind === 'sql') return `(${from.sql})`;
    throw new Error(`dataset ${dataset.name}: file datasets need a duckdb source`);
  },
  cast: (sql, type) => `cast(${sql} as ${CASTS[type]})`,
  memberOf: (field, members, type, bind) => (members.length === 0 ? 'false' : `${field} in (${members.map((m) => bind(m, type)).join(', ')})`),
  codePointOrder: '',
  limitOffset: (limit, offset) => [...(offset ? [`offset ${offset}`] : []), ...(limit ? [`limit ${limit}`] : [])],
};
