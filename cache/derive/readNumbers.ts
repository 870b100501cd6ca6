import type { Data, Vector } from 'apache-arrow';
import type { NumberColumn } from './columns.ts';

/**
 * A Float64 Arrow column as one Float64Array and a validity mask. The values of a single
 * chunk (what rowsToArrow builds) are shared, not copied; slots under a null hold whatever
 * the buffer holds, so readers must consult `valid`. Arrow slices subarray the value
 * buffer but keep the validity bitmap, read at `offset + i`.
 */
export function readNumbers(vector: Vector): NumberColumn {
  const chunks = vector.data as Data[];
  const single = chunks.length === 1 ? chunks[0]! : null;
  const values = single ? (single.values as Float64Array).subarray(0, single.length) : new Float64Array(vector.length);
  const valid = vector.nullCount > 0 ? new Uint8Array(vector.length) : null;
  if (single && !valid) return { values, valid };
  let at = 0;
  for (const chunk of chunks) {
    const source = chunk.values as Float64Array;
    const bitmap = chunk.nullCount > 0 ? chunk.nullBitmap : undefined;
    for (let i = 0; i < chunk.length; i++) {
      const bit = chunk.offset + i;
      if (!single) values[at + i] = source[i]!;
      if (valid) valid[at + i] = bitmap ? (bitmap[bit >> 3]! >> (bit & 7)) & 1 : 1;
    }
    at += chunk.length;
  }
  return { values, valid };
}
