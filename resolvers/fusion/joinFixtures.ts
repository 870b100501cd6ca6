import { Bool, Float64, Table, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import type { JoinKind } from './hashJoin.ts';

export type Cell = string | number | boolean | null;
type ColumnType = 'string' | 'number' | 'boolean';

const ARROW: Readonly<Record<ColumnType, () => DataType>> = { string: () => new Utf8(), number: () => new Float64(), boolean: () => new Bool() };

/** An Arrow table from `{ name: [type, values] }`, in key order. */
export function makeTable(columns: Readonly<Record<string, readonly [ColumnType, readonly Cell[]]>>): Table {
  return new Table(Object.fromEntries(Object.entries(columns).map(([name, [type, values]]) => [name, vectorFromArray([...values], ARROW[type]())])));
}

/** The table's rows as arrays of plain values, in schema order. */
export function rowsOf(table: Table): Cell[][] {
  const vectors = table.schema.fields.map((f) => table.getChild(f.name)!);
  return Array.from({ length: table.numRows }, (_, i) => vectors.map((v) => (v.get(i) ?? null) as Cell));
}

/**
 * A nested-loop join with the documented semantics and row order, as the oracle:
 * output keys, then the other columns of `left`, then those of `right`.
 */
export function referenceJoin(kind: JoinKind, leftTable: Table, rightTable: Table, leftKeyNames: string[], rightKeyNames: string[]): Cell[][] {
  const positions = (table: Table, names: string[]) => names.map((name) => table.schema.fields.findIndex((f) => f.name === name));
  const leftKeys = positions(leftTable, leftKeyNames);
  const rightKeys = positions(rightTable, rightKeyNames);
  const [left, right] = [rowsOf(leftTable), rowsOf(rightTable)];
  const same = (l: Cell[], r: Cell[]) => leftKeys.every((k, i) => l[k] !== null && r[rightKeys[i]!] !== null && sameValue(l[k]!, r[rightKeys[i]!]!));
  const rest = (row: Cell[] | null, keys: number[], width: number) =>
    Array.from({ length: width }, (_, i) => i).filter((i) => !keys.includes(i)).map((i) => (row ? row[i]! : null));
  const leftWidth = leftTable.numCols;
  const rightWidth = rightTable.numCols;
  const out: Cell[][] = [];
  const matched = new Set<number>();
  for (const l of left) {
    let any = false;
    right.forEach((r, j) => {
      if (!same(l, r)) return;
      any = true;
      matched.add(j);
      out.push([...leftKeys.map((k) => l[k]!), ...rest(l, leftKeys, leftWidth), ...rest(r, rightKeys, rightWidth)]);
    });
    if (!any && kind !== 'inner') out.push([...leftKeys.map((k) => l[k]!), ...rest(l, leftKeys, leftWidth), ...rest(null, rightKeys, rightWidth)]);
  }
  if (kind === 'full') {
    right.forEach((r, j) => {
      if (!matched.has(j)) out.push([...rightKeys.map((k) => r[k]!), ...rest(null, leftKeys, leftWidth), ...rest(r, rightKeys, rightWidth)]);
    });
  }
  return out;
}

/** SQL equality of non-null values: -0 equals 0, and (as in DuckDB and Postgres) NaN equals NaN. */
const sameValue = (a: Cell & {}, b: Cell & {}) => a === b || (typeof a === 'number' && typeof b === 'number' && a !== a && b !== b);

const REGIONS = ['East', 'West', 'North', 'Süd ✓', '', 'a longer region name that needs more bytes'];
const MONTHS = [Date.UTC(2025, 0, 1), Date.UTC(2025, 1, 1), Date.UTC(2025, 2, 1), -0, 0, 1.5];

export interface RandomSide {
  readonly table: Table;
  readonly rows: Cell[][];
}

/**
 * A small random "aggregate": key columns `${prefix}Region` (string), `${prefix}Month`
 * (number), `${prefix}Flag` (boolean) drawn from small pools with nulls and duplicates,
 * then measures `${prefix}0..` and a string `${prefix}Label`.
 */
export function randomSide(random: () => number, prefix: string, maxRows: number, measures: number, minRows = 0): RandomSide {
  const n = minRows + Math.floor(random() * (maxRows - minRows + 1));
  const pick = <T>(pool: readonly T[], nulls: number): T | null => (random() < nulls ? null : pool[Math.floor(random() * pool.length)]!);
  const region = Array.from({ length: n }, () => pick(REGIONS, 0.1));
  const month = Array.from({ length: n }, () => pick(MONTHS, 0.1));
  const flag = Array.from({ length: n }, () => pick([true, false], 0.1));
  const columns: Record<string, readonly [ColumnType, readonly Cell[]]> = {
    [`${prefix}Region`]: ['string', region],
    [`${prefix}Month`]: ['number', month],
    [`${prefix}Flag`]: ['boolean', flag],
  };
  for (let m = 0; m < measures; m++) columns[`${prefix}${m}`] = ['number', Array.from({ length: n }, () => (random() < 0.2 ? null : Math.round(random() * 1e4) / 100))];
  columns[`${prefix}Label`] = ['string', Array.from({ length: n }, () => pick(REGIONS, 0.2))];
  const table = makeTable(columns);
  return { table, rows: rowsOf(table) };
}

/** Rows in one canonical order, to compare joins whose order is unspecified (SQL). */
export function sortedRows(rows: readonly (readonly Cell[])[]): string[] {
  return rows.map((row) => JSON.stringify(row.map((v) => (typeof v === 'number' ? (Object.is(v, -0) ? 0 : v) : v)))).sort();
}
