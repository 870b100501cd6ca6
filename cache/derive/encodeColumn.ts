import { DataType, type Data, type Vector } from 'apache-arrow';
import type { Scalar } from '../../planner/index.ts';
import type { CodedColumn } from './columns.ts';
import { encodeNumbers } from './encodeNumbers.ts';
import { encodeUtf8 } from './encodeUtf8.ts';
import { readNumbers } from './readNumbers.ts';

/** Dictionary-encodes a result column (Utf8, Float64 or Bool, as rowsToArrow builds them). */
export function encodeColumn(vector: Vector): CodedColumn {
  if (DataType.isFloat(vector.type)) return encodeNumbers(readNumbers(vector));
  if (DataType.isUtf8(vector.type)) return encodeUtf8(vector);
  if (DataType.isBool(vector.type)) return encodeBool(vector);
  return encodeAny(vector);
}

/** Codes 0 = false, 1 = true, 2 = null. */
function encodeBool(vector: Vector): CodedColumn {
  const codes = new Int32Array(vector.length);
  let row = 0;
  for (const chunk of vector.data as Data[]) {
    const bits = chunk.values as Uint8Array;
    const bitmap = chunk.nullCount > 0 ? chunk.nullBitmap : undefined;
    for (let i = 0; i < chunk.length; i++, row++) {
      const bit = chunk.offset + i;
      const isValid = bitmap ? (bitmap[bit >> 3]! >> (bit & 7)) & 1 : 1;
      codes[row] = isValid ? (bits[bit >> 3]! >> (bit & 7)) & 1 : 2;
    }
  }
  return { codes, values: [false, true, null] };
}

/** Any other type, value by value (not produced by the sources today). */
function encodeAny(vector: Vector): CodedColumn {
  const codes = new Int32Array(vector.length);
  const index = new Map<Scalar | null, number>();
  const values: (Scalar | null)[] = [];
  for (let i = 0; i < vector.length; i++) {
    const raw: unknown = vector.get(i);
    const value = raw === null || raw === undefined ? null : typeof raw === 'bigint' ? Number(raw) : (raw as Scalar);
    let code = index.get(value);
    if (code === undefined) index.set(value, (code = values.push(value) - 1));
    codes[i] = code;
  }
  return { codes, values };
}
