import { compareNonNull } from '../../values/index.ts';
import type { CodedColumn, NumberColumn } from './columns.ts';

/**
 * Sort keys are numbers where smaller sorts first, whatever the direction: descending
 * keys are negated, and null is +Infinity, so nulls sort last in either direction
 * (NULLS LAST, as compileSql orders).
 */
export function dimensionSortKey(column: CodedColumn, direction: 'asc' | 'desc'): Float64Array {
  const sign = direction === 'asc' ? 1 : -1;
  const present = column.values.flatMap((v, code) => (v === null ? [] : [code]));
  present.sort((a, b) => compareNonNull(column.values[a]!, column.values[b]!));
  const rank = new Float64Array(column.values.length).fill(Infinity);
  present.forEach((code, i) => (rank[code] = sign * i)); // values are distinct: one code each
  const key = new Float64Array(column.codes.length);
  for (let i = 0; i < key.length; i++) key[i] = rank[column.codes[i]!]!;
  return key;
}

export function measureSortKey(column: NumberColumn, direction: 'asc' | 'desc'): Float64Array {
  const sign = direction === 'asc' ? 1 : -1;
  const key = new Float64Array(column.values.length);
  for (let i = 0; i < key.length; i++) {
    key[i] = column.valid && column.valid[i] === 0 ? Infinity : sign * column.values[i]!;
  }
  return key;
}
