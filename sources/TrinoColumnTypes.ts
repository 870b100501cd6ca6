import type { ColumnSqlType, ColumnTypes } from '../planner/index.ts';

/**
 * The column types of a relation from the type names Trino reports for a result
 * (`bigint`, `timestamp(6)`, `varchar(25)`): the ones that change how a parameter is
 * bound (planner/columns/ColumnTypes.ts), every other type `other`.
 */
export function trinoColumnTypes(columns: readonly { readonly name: string; readonly type: string }[]): ColumnTypes {
  return new Map(columns.map((c) => [c.name, sqlTypeOf(c.type)]));
}

function sqlTypeOf(type: string): ColumnSqlType {
  const t = type.toLowerCase();
  if (t === 'bigint') return 'int8';
  if (t === 'integer') return 'int4';
  if (t === 'smallint' || t === 'tinyint') return 'int2';
  if (/^timestamp(\(\d+\))?$/.test(t)) return 'timestamp';
  return 'other';
}
