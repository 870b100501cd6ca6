import type { Scalar } from '../../planner/index.ts';

/**
 * A column as its distinct values and one code per row: row i holds `values[codes[i]]`.
 * Null is a value like any other (SQL GROUP BY puts nulls in a group of their own), so
 * predicates, grouping and sorting run once per distinct value, then map codes.
 */
export interface CodedColumn {
  readonly codes: Int32Array;
  readonly values: readonly (Scalar | null)[];
}

/** Numbers with nulls: `valid[i] === 0` marks row i null; `valid` is null when none are. */
export interface NumberColumn {
  readonly values: Float64Array;
  readonly valid: Uint8Array | null;
}

/** Every row's code is its own index: a column of per-group values seen as a CodedColumn. */
export function numbersAsCoded(column: NumberColumn): CodedColumn {
  const n = column.values.length;
  const codes = new Int32Array(n);
  const values: (number | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    codes[i] = i;
    values[i] = column.valid && column.valid[i] === 0 ? null : column.values[i]!;
  }
  return { codes, values };
}

/** The rows (or groups) listed in `at`, in that order. */
export function gatherCodes(column: CodedColumn, at: Int32Array): CodedColumn {
  const codes = new Int32Array(at.length);
  for (let i = 0; i < at.length; i++) codes[i] = column.codes[at[i]!]!;
  return { codes, values: column.values };
}

export function gatherNumbers(column: NumberColumn, at: Int32Array): NumberColumn {
  const values = new Float64Array(at.length);
  const valid = column.valid ? new Uint8Array(at.length) : null;
  for (let i = 0; i < at.length; i++) {
    values[i] = column.values[at[i]!]!;
    if (valid) valid[i] = column.valid![at[i]!]!;
  }
  return { values, valid };
}
