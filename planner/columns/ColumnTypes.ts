/**
 * The SQL type of a dataset column as its source reported it, where that changes how a
 * value is bound: integer columns get integer parameters and naive timestamps `timestamp`
 * ones, so no column is cast per row. Every other type is `other` (bound as today).
 */
export type ColumnSqlType = 'int2' | 'int4' | 'int8' | 'timestamp' | 'other';

/** By column name (the dataset's `column`, not the dimension name). Absent: unknown. */
export type ColumnTypes = ReadonlyMap<string, ColumnSqlType>;

/** The column types of a relation from Postgres type OIDs (pg and PGlite row descriptions). */
export function columnTypesFromOids(fields: readonly { readonly name: string; readonly dataTypeID: number }[]): ColumnTypes {
  return new Map(fields.map((f) => [f.name, PG_OIDS[f.dataTypeID] ?? 'other']));
}

const PG_OIDS: Readonly<Record<number, ColumnSqlType>> = { 21: 'int2', 23: 'int4', 20: 'int8', 1114: 'timestamp' };
