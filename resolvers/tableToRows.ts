import type { Table } from 'apache-arrow';
import { formatWall, type AggregatePlan } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';

/** A result row as the GraphQL row type reads it: dimension keys and final measure values. */
export type ResultRow = Record<string, string | number | boolean | null>;

/**
 * Turns an aggregate result into row objects: time buckets formatted as ISO-8601 in the
 * dataset's zone (keyed `orderDate.month`), leaves combined into measure values (avg = sum
 * / count, null when count is 0), keyed by measure name.
 */
export function tableToRows(table: Table, plan: AggregatePlan, dataset: DatasetConfig): ResultRow[] {
  const n = table.numRows;
  const rows: ResultRow[] = Array.from({ length: n }, () => ({}));
  for (const dim of plan.dimensions) {
    const column = table.getChild(dim.key);
    if (!column) continue;
    const formatted = new Map<number, string>();
    for (let i = 0; i < n; i++) {
      const value = column.get(i) as string | number | boolean | null;
      if (dim.type === 'time' && typeof value === 'number') {
        let text = formatted.get(value);
        if (text === undefined) formatted.set(value, (text = formatWall(value, dataset.timezone)));
        rows[i]![dim.key] = text;
      } else {
        rows[i]![dim.key] = value;
      }
    }
  }
  for (const measure of new Set(plan.measures.map((m) => m.measure))) {
    const config = dataset.measures[measure]!;
    if (config.aggregation === 'avg') {
      const sums = table.getChild(`${measure}.sum`)!;
      const counts = table.getChild(`${measure}.count`)!;
      for (let i = 0; i < n; i++) {
        const count = counts.get(i) as number | null;
        const sum = sums.get(i) as number | null;
        rows[i]![measure] = count && sum !== null ? sum / count : null;
      }
    } else {
      const leaf = table.getChild(`${measure}.${config.aggregation}`)!;
      for (let i = 0; i < n; i++) rows[i]![measure] = leaf.get(i) as number | null;
    }
  }
  return rows;
}
