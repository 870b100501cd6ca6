import type { Table } from 'apache-arrow';
import { formatWall, type AggregatePlan } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import { readColumn, type Cell } from './readColumn.ts';

/** A result row as the GraphQL row type reads it: dimension keys and final measure values. */
export type ResultRow = Record<string, string | number | boolean | null>;

/**
 * Turns an aggregate result into row objects: time buckets formatted as ISO-8601 in the
 * dataset's zone (keyed `orderDate.month`; each distinct bucket formatted once), leaves
 * combined into measure values (avg = sum / count, null when count is 0), keyed by measure
 * name. Columns are read whole from Arrow's buffers (readColumn), then each row is built in
 * one pass with its keys in the same order (rowMaker), so every row shares one object shape.
 */
export function tableToRows(table: Table, plan: AggregatePlan, dataset: DatasetConfig): ResultRow[] {
  const n = table.numRows;
  const keys: string[] = [];
  const columns: Cell[][] = [];
  for (const dim of plan.dimensions) {
    const column = table.getChild(dim.key);
    if (!column) continue;
    keys.push(dim.key);
    columns.push(dim.type === 'time' ? formatTimes(readColumn(column), dataset.timezone) : readColumn(column));
  }
  for (const measure of new Set(plan.measures.map((m) => m.measure))) {
    const config = dataset.measures[measure]!;
    keys.push(measure);
    if (config.aggregation === 'avg') {
      const sums = readColumn(table.getChild(`${measure}.sum`)!);
      const counts = readColumn(table.getChild(`${measure}.count`)!);
      columns.push(sums.map((sum, i) => (counts[i] && sum !== null ? (sum as number) / (counts[i] as number) : null)));
    } else {
      columns.push(readColumn(table.getChild(`${measure}.${config.aggregation}`)!));
    }
  }
  const rows: ResultRow[] = new Array(n);
  const makeRow = rowMaker(keys);
  for (let i = 0; i < n; i++) rows[i] = makeRow(columns, i);
  return rows;
}

type RowMaker = (columns: Cell[][], i: number) => ResultRow;
const rowMakers = new Map<string, RowMaker>();

/**
 * Builds row i from the columns as one object literal with the keys written out
 * (`{ "region": c[0][i], "orderDate.month": c[1][i] }`), generated once per key list: V8
 * then creates every row from one template, where assigning `row[key]` key by key is a
 * generic keyed store per cell. Keys are GraphQL names and dimension keys, entering the
 * code only as JSON string literals; none is `__proto__` (names start with a letter).
 */
function rowMaker(keys: readonly string[]): RowMaker {
  const id = keys.join('\u0000');
  let make = rowMakers.get(id);
  if (!make) {
    if (rowMakers.size >= 1_000) rowMakers.clear();
    const fields = keys.map((key, k) => `${JSON.stringify(key)}: c[${k}][i]`).join(', ');
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- keys enter only as JSON literals, see above
    make = new Function(`return function makeRow(c, i) { return { ${fields} }; };`)() as RowMaker;
    rowMakers.set(id, make);
  }
  return make;
}

/** Wall-clock epoch milliseconds as ISO-8601 text in `zone` (formatWall remembers each distinct value it formatted). */
function formatTimes(values: Cell[], zone: string): Cell[] {
  return values.map((value) => (typeof value === 'number' ? formatWall(value, zone) : value));
}
