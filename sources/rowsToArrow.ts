import { Bool, Float64, Table, Utf8, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import type { ResultColumn } from '../planner/index.ts';

const ARROW_TYPE: Record<ResultColumn['type'], () => DataType> = {
  string: () => new Utf8(),
  number: () => new Float64(),
  boolean: () => new Bool(),
  // Wall-clock epoch milliseconds (see planner/time/zonedTime.ts); Float64 keeps them exact.
  time: () => new Float64(),
};

/**
 * Builds an Arrow table from row arrays in `columns` order. Types come from the plan, not
 * from the driver, so every source yields the same schema for the same plan.
 */
export function rowsToArrow(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[]): Table {
  const vectors: Record<string, Vector> = {};
  columns.forEach((column, i) => {
    const values = rows.map((row) => normalizeValue(row[i], column.type));
    vectors[column.name] = vectorFromArray(values, ARROW_TYPE[column.type]());
  });
  return new Table(vectors);
}

function normalizeValue(value: unknown, type: ResultColumn['type']): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'number' || type === 'time') return typeof value === 'number' ? value : Number(value);
  if (type === 'string') return typeof value === 'string' ? value : String(value);
  return value;
}
