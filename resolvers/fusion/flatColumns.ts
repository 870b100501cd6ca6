import { DataType, Precision, type Data, type Float, type Vector } from 'apache-arrow';

/**
 * Arrow columns read once into flat arrays, so hot loops index typed arrays instead of
 * calling `vector.get(i)`. `valid[i] === 0` marks row i null; `valid` is null when no row
 * is. Slots under a null hold whatever the buffer holds: readers consult `valid` first.
 */
export interface FlatNumbers {
  readonly kind: 'float64';
  readonly values: Float64Array;
  readonly valid: Uint8Array | null;
}

/** Row i is `bytes[offsets[i]] .. bytes[offsets[i + 1]]` (UTF-8). */
export interface FlatUtf8 {
  readonly kind: 'utf8';
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  readonly valid: Uint8Array | null;
}

/** One byte per row, 0 or 1. */
export interface FlatBools {
  readonly kind: 'bool';
  readonly values: Uint8Array;
  readonly valid: Uint8Array | null;
}

/** Any other type, value by value (the sources do not produce them today). */
export interface FlatValues {
  readonly kind: 'values';
  readonly values: readonly unknown[];
}

export type FlatColumn = FlatNumbers | FlatUtf8 | FlatBools | FlatValues;

/** Reads a column of the types rowsToArrow builds (Utf8, Float64, Bool) without per-cell calls. */
export function readFlat(vector: Vector): FlatColumn {
  const type = vector.type as DataType;
  if (DataType.isFloat(type) && (type as Float).precision === Precision.DOUBLE) return readFloat64(vector);
  if (DataType.isUtf8(type)) return readUtf8(vector);
  if (DataType.isBool(type)) return readBools(vector);
  return { kind: 'values', values: Array.from({ length: vector.length }, (_, i) => vector.get(i) ?? null) };
}

function readValid(vector: Vector): Uint8Array | null {
  if (vector.nullCount === 0) return null;
  const valid = new Uint8Array(vector.length);
  let row = 0;
  for (const chunk of vector.data as Data[]) {
    const bitmap = chunk.nullCount > 0 ? chunk.nullBitmap : undefined;
    if (!bitmap) valid.fill(1, row, row + chunk.length);
    else for (let i = 0, bit = chunk.offset; i < chunk.length; i++, bit++) valid[row + i] = (bitmap[bit >> 3]! >> (bit & 7)) & 1;
    row += chunk.length;
  }
  return valid;
}

/** A single chunk's values are shared (Arrow slices subarray fixed-width buffers). */
function readFloat64(vector: Vector): FlatNumbers {
  const chunks = vector.data as Data[];
  let values: Float64Array;
  if (chunks.length === 1) values = (chunks[0]!.values as Float64Array).subarray(0, vector.length);
  else {
    values = new Float64Array(vector.length);
    let row = 0;
    for (const chunk of chunks) {
      values.set((chunk.values as Float64Array).subarray(0, chunk.length), row);
      row += chunk.length;
    }
  }
  return { kind: 'float64', values, valid: readValid(vector) };
}

/** A single chunk's buffers are shared; several chunks are copied into one byte pool. */
function readUtf8(vector: Vector): FlatUtf8 {
  const chunks = vector.data as Data[];
  const valid = readValid(vector);
  if (chunks.length === 1) {
    const chunk = chunks[0]!;
    return { kind: 'utf8', offsets: chunk.valueOffsets as Int32Array, bytes: chunk.values as Uint8Array, valid };
  }
  let total = 0;
  for (const chunk of chunks) {
    const offsets = chunk.valueOffsets as Int32Array;
    total += offsets[chunk.length]! - offsets[0]!;
  }
  const offsets = new Int32Array(vector.length + 1);
  const bytes = new Uint8Array(total);
  let row = 0;
  let at = 0;
  for (const chunk of chunks) {
    const source = chunk.valueOffsets as Int32Array;
    const start = source[0]!;
    const end = source[chunk.length]!;
    bytes.set((chunk.values as Uint8Array).subarray(start, end), at);
    for (let i = 1; i <= chunk.length; i++) offsets[row + i] = source[i]! - start + at;
    row += chunk.length;
    at += end - start;
  }
  return { kind: 'utf8', offsets, bytes, valid };
}

function readBools(vector: Vector): FlatBools {
  const values = new Uint8Array(vector.length);
  let row = 0;
  for (const chunk of vector.data as Data[]) {
    const bits = chunk.values as Uint8Array;
    for (let i = 0, bit = chunk.offset; i < chunk.length; i++, bit++) values[row + i] = (bits[bit >> 3]! >> (bit & 7)) & 1;
    row += chunk.length;
  }
  return { kind: 'bool', values, valid: readValid(vector) };
}
