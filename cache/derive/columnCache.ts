import type { Data, Vector } from 'apache-arrow';
import type { CodedColumn, NumberColumn } from './columns.ts';
import { encodeColumn } from './encodeColumn.ts';
import { readNumbers } from './readNumbers.ts';

/**
 * Cached tables are immutable and answer many derivations (re-sort, drill up, filter), so
 * a column's encoding is kept as long as its Arrow data lives: keyed weakly by the data of
 * single-chunk columns (what sources build), it goes when the cache evicts the table.
 * It costs 4 bytes per row and column for codes, which the cache's byte bound does not see.
 */
const coded = new WeakMap<Data, CodedColumn>();
const numbers = new WeakMap<Data, NumberColumn>();

export function codedColumnOf(vector: Vector): CodedColumn {
  return memo(coded, vector, encodeColumn);
}

export function numberColumnOf(vector: Vector): NumberColumn {
  return memo(numbers, vector, readNumbers);
}

function memo<T>(cache: WeakMap<Data, T>, vector: Vector, compute: (vector: Vector) => T): T {
  const only = vector.data.length === 1 ? (vector.data[0] as Data) : null;
  if (!only) return compute(vector);
  let value = cache.get(only);
  if (value === undefined) cache.set(only, (value = compute(vector)));
  return value;
}
