import type { CodedColumn } from './columns.ts';

/** The groups of a GROUP BY over the kept rows. */
export interface Groups {
  readonly count: number;
  /** The group of each kept row, by position in `rows`. Groups are numbered by first appearance. */
  readonly groupOf: Int32Array;
  /** The first row (table index) of each group: where its key values are read. */
  readonly firstRow: Int32Array;
}

const DENSE_LIMIT = 1 << 22;

/**
 * Groups `rows` (table indices) by the combination of the key columns' codes: one pass
 * when all combinations fit a dense table; otherwise keys are folded one at a time (group
 * so far × radix + next code, renumbered after each step), so the combined numbers stay
 * below rows × radix however many keys there are. Null codes group like any value.
 * Without keys every row is in the one group, which exists even when there are no rows
 * (an aggregate without GROUP BY returns one row).
 */
export function groupRows(keys: readonly CodedColumn[], rows: Int32Array): Groups {
  if (keys.length === 0) return { count: 1, groupOf: new Int32Array(rows.length), firstRow: Int32Array.of(-1) };
  const size = keys.reduce((product, key) => product * key.values.length, 1);
  if (size <= DENSE_LIMIT) {
    const combined = new Float64Array(rows.length);
    let stride = 1;
    for (const key of keys) {
      for (let j = 0; j < rows.length; j++) combined[j] = combined[j]! + stride * key.codes[rows[j]!]!;
      stride *= key.values.length;
    }
    return renumber(combined, size, rows);
  }
  let groupOf: Int32Array = new Int32Array(rows.length);
  let radix = 1;
  let count = 0;
  let firstRow: Int32Array = new Int32Array(0);
  for (const key of keys) {
    const width = key.values.length;
    const combined = new Float64Array(rows.length);
    for (let j = 0; j < rows.length; j++) combined[j] = groupOf[j]! * width + key.codes[rows[j]!]!;
    ({ count, groupOf, firstRow } = renumber(combined, radix * width, rows));
    radix = count;
  }
  return { count, groupOf, firstRow };
}

/** Numbers the distinct values of `combined` (all below `size`) in order of appearance. */
function renumber(combined: Float64Array, size: number, rows: Int32Array): Groups {
  const groupOf = new Int32Array(combined.length);
  const firsts: number[] = [];
  if (size <= DENSE_LIMIT) {
    const ids = new Int32Array(size).fill(-1);
    for (let j = 0; j < combined.length; j++) {
      const c = combined[j]!;
      let id = ids[c]!;
      if (id < 0) ids[c] = id = firsts.push(rows[j]!) - 1;
      groupOf[j] = id;
    }
  } else {
    const ids = new Map<number, number>();
    for (let j = 0; j < combined.length; j++) {
      const c = combined[j]!;
      let id = ids.get(c);
      if (id === undefined) ids.set(c, (id = firsts.push(rows[j]!) - 1));
      groupOf[j] = id;
    }
  }
  return { count: firsts.length, groupOf, firstRow: Int32Array.from(firsts) };
}
