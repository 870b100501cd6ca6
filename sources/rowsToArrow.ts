import { Table, type Vector } from 'apache-arrow';
import type { ResultColumn } from '../planner/index.ts';
import { resultVector } from './resultVector.ts';

/**
 * Builds an Arrow table from row arrays in `columns` order. Types come from the plan, not
 * from the driver, so every source yields the same schema for the same plan.
 */
export function rowsToArrow(columns: readonly ResultColumn[], rows: readonly (readonly unknown[])[]): Table {
  const vectors: Record<string, Vector> = {};
  columns.forEach((column, c) => {
    vectors[column.name] = resultVector(column.type, rows.length, (i) => rows[i]![c]);
  });
  return new Table(vectors);
}
