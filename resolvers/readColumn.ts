import { Type, type Data, type Vector } from 'apache-arrow';

/** A cell as the row types read it. */
export type Cell = string | number | boolean | null;

/**
 * Every value of an Arrow column as a plain array, read straight from its buffers for the
 * types the sources produce (Float64 and Utf8: one typed-array read or one UTF-8 decode per
 * cell, no per-cell dispatch through Arrow's visitors); other types cell by cell.
 */
export function readColumn(column: Vector): Cell[] {
  const out: Cell[] = new Array(column.length);
  if (!column.data.every((chunk) => isFloat64(chunk) || chunk.type.typeId === Type.Utf8)) {
    for (let i = 0; i < out.length; i++) out[i] = column.get(i) as Cell;
    return out;
  }
  let at = 0;
  for (const chunk of column.data) at = isFloat64(chunk) ? readFloat64(chunk, out, at) : readUtf8(chunk, out, at);
  return out;
}

const isFloat64 = (chunk: Data): boolean => chunk.type.typeId === Type.Float && chunk.values instanceof Float64Array;

function readFloat64(chunk: Data, out: Cell[], at: number): number {
  const values = chunk.values as Float64Array;
  const { length } = chunk;
  const valid = validity(chunk);
  for (let i = 0; i < length; i++) out[at + i] = valid(i) ? values[i]! : null;
  return at + length;
}

function readUtf8(chunk: Data, out: Cell[], at: number): number {
  const bytes = chunk.values as Uint8Array;
  const offsets = chunk.valueOffsets as Int32Array;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { length } = chunk;
  const valid = validity(chunk);
  for (let i = 0; i < length; i++) out[at + i] = valid(i) ? text.toString('utf8', offsets[i]!, offsets[i + 1]!) : null;
  return at + length;
}

/**
 * Whether cell `i` of the chunk holds a value (false: null). A sliced chunk's values and
 * offsets start at its first cell, but its validity bitmap still counts from `offset`.
 */
function validity(chunk: Data): (i: number) => boolean {
  const bitmap = chunk.nullBitmap as Uint8Array | undefined;
  if (chunk.nullCount === 0 || !bitmap || bitmap.length === 0) return () => true;
  const { offset } = chunk;
  return (i) => ((bitmap[(offset + i) >> 3]! >> ((offset + i) & 7)) & 1) === 1;
}
