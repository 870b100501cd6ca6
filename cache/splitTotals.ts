import { DataType, Table, type Vector } from 'apache-arrow';
import { TOTALS_FLAG } from '../planner/index.ts';
import { resultVector } from '../sources/index.ts';

/**
 * Splits the result of a `grouping sets ((dims), ())` statement (compileSql's `totals`) into
 * the rows core (the group rows, with `rowColumns`) and the totals core (the one totals row,
 * with `totalsColumns`), each with the columns its own statement would have returned.
 */
export function splitTotals(table: Table, rowColumns: readonly string[], totalsColumns: readonly string[]): { rows: Table; totals: Table } {
  const flags = table.getChild(TOTALS_FLAG)!.toArray() as ArrayLike<number>;
  const groupIndexes: number[] = [];
  const totalIndexes: number[] = [];
  for (let i = 0; i < table.numRows; i++) (flags[i] === 0 ? groupIndexes : totalIndexes).push(i);
  return { rows: pick(table, rowColumns, groupIndexes), totals: pick(table, totalsColumns, totalIndexes) };
}

function pick(table: Table, names: readonly string[], indexes: readonly number[]): Table {
  const vectors: Record<string, Vector> = {};
  for (const name of names) {
    const column = table.getChild(name)!;
    const type = DataType.isUtf8(column.type) ? 'string' : DataType.isBool(column.type) ? 'boolean' : 'number';
    vectors[name] = resultVector(type, indexes.length, (r) => column.get(indexes[r]!));
  }
  return new Table(vectors);
}
