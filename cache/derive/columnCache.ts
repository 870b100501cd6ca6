import type { Data, Table, Vector } from 'apache-arrow';
import type { CodedColumn, NumberColumn } from './columns.ts';
import { encodeColumn } from './encodeColumn.ts';
import { readNumbers } from './readNumbers.ts';

/**
 * Cached tables are immutable and answer many derivations (re-sort, drill up, filter), so
 * a column's encoding is kept as long as its Arrow data lives: keyed weakly by the data of
 * single-chunk columns (what sources build), it goes when the cache evicts the table.
 * It costs 4 bytes per row and column for codes plus the distinct values as JS values;
 * `memoBytesOf` reports that cost so the cache counts it against its byte bound.
 */
const coded = new WeakMap<Data, CodedColumn>();
const numbers = new WeakMap<Data, NumberColumn>();
const bytes = new WeakMap<Data, number>();

export function codedColumnOf(vector: Vector): CodedColumn {
  return memo(coded, vector, encodeColumn, codedBytes);
}

export function numberColumnOf(vector: Vector): NumberColumn {
  return memo(numbers, vector, readNumbers, (c) => c.values.byteLength + (c.valid?.byteLength ?? 0));
}

/** Bytes of the encodings remembered for a table's columns (0 before any derivation). */
export function memoBytesOf(table: Table): number {
  let total = 0;
  for (let i = 0; i < table.numCols; i++) {
    const data = table.getChildAt(i)?.data;
    if (data?.length === 1) total += bytes.get(data[0] as Data) ?? 0;
  }
  return total;
}

function memo<T>(cache: WeakMap<Data, T>, vector: Vector, compute: (vector: Vector) => T, size: (value: T) => number): T {
  const only = vector.data.length === 1 ? (vector.data[0] as Data) : null;
  if (!only) return compute(vector);
  let value = cache.get(only);
  if (value === undefined) {
    cache.set(only, (value = compute(vector)));
    bytes.set(only, (bytes.get(only) ?? 0) + size(value));
  }
  return value;
}

/** Codes, plus each distinct value: a pointer slot and, for a string, its characters and header. */
function codedBytes(column: CodedColumn): number {
  let total = column.codes.byteLength;
  for (const value of column.values) total += 16 + (typeof value === 'string' ? value.length + 16 : 0);
  return total;
}
