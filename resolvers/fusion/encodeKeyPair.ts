import { ByteDictionary } from '../../cache/index.ts';
import { NumberDictionary } from './NumberDictionary.ts';
import type { FlatColumn } from './flatColumns.ts';

/**
 * One key of a join encoded on both sides into one code space: equal values get equal
 * codes in 0 .. count - 1; null rows get -1, since a null key never matches (SQL `=`).
 */
export interface CodedKey {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly count: number;
}

/** Both columns are of one Arrow type (the caller checks), hence of one flat kind. */
export function encodeKeyPair(left: FlatColumn, right: FlatColumn, leftRows: number, rightRows: number): CodedKey {
  const out = { left: new Int32Array(leftRows), right: new Int32Array(rightRows) };
  if (left.kind === 'utf8' && right.kind === 'utf8') {
    const dictionary = new ByteDictionary(leftRows + rightRows);
    encodeUtf8(left, out.left, dictionary);
    encodeUtf8(right, out.right, dictionary);
    return { ...out, count: dictionary.size };
  }
  if (left.kind === 'float64' && right.kind === 'float64') {
    const dictionary = new NumberDictionary(leftRows + rightRows);
    encodeNumbers(left.values, left.valid, out.left, dictionary);
    encodeNumbers(right.values, right.valid, out.right, dictionary);
    return { ...out, count: dictionary.size };
  }
  if (left.kind === 'bool' && right.kind === 'bool') {
    encodeBools(left.values, left.valid, out.left);
    encodeBools(right.values, right.valid, out.right);
    return { ...out, count: 2 };
  }
  if (left.kind === 'values' && right.kind === 'values') {
    const index = new Map<unknown, number>();
    encodeValues(left.values, out.left, index);
    encodeValues(right.values, out.right, index);
    return { ...out, count: index.size };
  }
  throw new Error(`encodeKeyPair: expected key columns of one type; received ${left.kind} and ${right.kind}`);
}

function encodeUtf8(column: FlatColumn & { kind: 'utf8' }, codes: Int32Array, dictionary: ByteDictionary): void {
  const { offsets, bytes, valid } = column;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < codes.length; i++) {
    codes[i] = valid && valid[i] === 0 ? -1 : dictionary.codeOf(bytes, view, offsets[i]!, offsets[i + 1]!);
  }
}

function encodeNumbers(values: Float64Array, valid: Uint8Array | null, codes: Int32Array, dictionary: NumberDictionary): void {
  for (let i = 0; i < codes.length; i++) codes[i] = valid && valid[i] === 0 ? -1 : dictionary.codeOf(values[i]!);
}

function encodeBools(values: Uint8Array, valid: Uint8Array | null, codes: Int32Array): void {
  for (let i = 0; i < codes.length; i++) codes[i] = valid && valid[i] === 0 ? -1 : values[i]!;
}

/** Map keys compare by SameValueZero: by value for strings, numbers (NaN too), bigints. */
function encodeValues(values: readonly unknown[], codes: Int32Array, index: Map<unknown, number>): void {
  for (let i = 0; i < codes.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) {
      codes[i] = -1;
      continue;
    }
    // Dates and other objects compare by their primitive value, not by identity.
    const key = typeof value === 'object' ? String((value as { valueOf(): unknown }).valueOf()) : value;
    let code = index.get(key);
    if (code === undefined) index.set(key, (code = index.size));
    codes[i] = code;
  }
}
