import type { Data, Vector } from 'apache-arrow';
import { ByteDictionary } from './ByteDictionary.ts';
import type { CodedColumn } from './columns.ts';

/**
 * Dictionary-encodes a Utf8 column on its bytes (ByteDictionary): rows are hashed and
 * compared byte-wise, and only distinct values are decoded. Decoding every row
 * would cost most of a roll-up's time. Null rows get one code after the values.
 */
export function encodeUtf8(vector: Vector): CodedColumn {
  const codes = new Int32Array(vector.length);
  const seen = new ByteDictionary(vector.length);
  let hasNull = false;
  let row = 0;
  for (const chunk of vector.data as Data[]) {
    const offsets = chunk.valueOffsets as Int32Array;
    const bytes = chunk.values as Uint8Array;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const bitmap = chunk.nullCount > 0 ? chunk.nullBitmap : undefined;
    for (let i = 0; i < chunk.length; i++, row++) {
      const bit = chunk.offset + i;
      if (bitmap && ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 0) {
        codes[row] = -1;
        hasNull = true;
      } else {
        codes[row] = seen.codeOf(bytes, view, offsets[i]!, offsets[i + 1]!);
      }
    }
  }
  const values: (string | null)[] = seen.decode();
  if (hasNull) {
    const nullCode = values.push(null) - 1;
    for (let i = 0; i < codes.length; i++) if (codes[i] === -1) codes[i] = nullCode;
  }
  return { codes, values };
}
