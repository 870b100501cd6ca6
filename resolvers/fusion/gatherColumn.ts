import { makeData, vectorFromArray, type Bool, type Data, type DataType, type Float64, type Utf8 } from 'apache-arrow';
import type { FlatBools, FlatColumn, FlatNumbers, FlatUtf8 } from './flatColumns.ts';

/**
 * One side of an output column: output row k reads `column` at row `at[k]` (-1: none).
 * `column` is null when the column does not exist on that side.
 */
export interface Side<C extends FlatColumn = FlatColumn> {
  readonly column: C | null;
  readonly at: Int32Array;
}

/**
 * Builds output column data of `type` for `length` rows: row k is the left value when the
 * left side has a row for k (even a null value), else the right value, else null. The key
 * columns of a full join read both sides; every other column reads one side only.
 */
export function gatherColumn(type: DataType, length: number, left: Side, right: Side): Data {
  const kind = left.column?.kind ?? right.column?.kind;
  if (kind === 'float64') return gatherNumbers(type as Float64, length, left as Side<FlatNumbers>, right as Side<FlatNumbers>);
  if (kind === 'utf8') return gatherUtf8(type as Utf8, length, left as Side<FlatUtf8>, right as Side<FlatUtf8>);
  if (kind === 'bool') return gatherBools(type as Bool, length, left as Side<FlatBools>, right as Side<FlatBools>);
  const values = new Array<unknown>(length);
  const read = (side: Side, k: number) => (side.column?.kind === 'values' && side.at[k]! >= 0 ? side.column.values[side.at[k]!] : undefined);
  for (let k = 0; k < length; k++) values[k] = left.column && left.at[k]! >= 0 ? read(left, k) : (read(right, k) ?? null);
  return vectorFromArray(values, type).data[0]!;
}

function gatherNumbers(type: Float64, length: number, left: Side<FlatNumbers>, right: Side<FlatNumbers>): Data {
  const out = new Float64Array(length);
  const bitmap = new Uint8Array((length + 7) >> 3);
  const L = left.column;
  const R = right.column;
  // Specialised loops: a one-sided column without nulls is the common case (measures of
  // the left side in a left join); the validity bitmap is assembled a byte at a time.
  let nulls = 0;
  let byte = 0;
  if (L && R) {
    for (let k = 0; k < length; k++) {
      let i = left.at[k]!;
      const source = i >= 0 ? L : ((i = right.at[k]!), R);
      if (i >= 0 && (source.valid === null || source.valid[i] === 1)) {
        out[k] = source.values[i]!;
        byte |= 1 << (k & 7);
      } else nulls++;
      if ((k & 7) === 7) (bitmap[k >> 3] = byte), (byte = 0);
    }
  } else {
    const { at } = L ? left : right;
    const { values, valid } = (L ?? R)!;
    for (let k = 0; k < length; k++) {
      const i = at[k]!;
      if (i >= 0 && (valid === null || valid[i] === 1)) {
        out[k] = values[i]!;
        byte |= 1 << (k & 7);
      } else nulls++;
      if ((k & 7) === 7) (bitmap[k >> 3] = byte), (byte = 0);
    }
  }
  if ((length & 7) !== 0) bitmap[length >> 3] = byte;
  return makeData({ type, length, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : null, data: out });
}

const NO_ROWS = new Int32Array(0);

function gatherUtf8(type: Utf8, length: number, left: Side<FlatUtf8>, right: Side<FlatUtf8>): Data {
  const offsets = new Int32Array(length + 1);
  const bitmap = new Uint8Array((length + 7) >> 3);
  // Locals, not property loads, in the loops; an absent side never has a row (at = -1).
  const leftAt = left.column ? left.at : null;
  const rightAt = right.column ? right.at : null;
  const { offsets: lo, bytes: lb, valid: lv } = left.column ?? EMPTY_UTF8;
  const { offsets: ro, bytes: rb, valid: rv } = right.column ?? EMPTY_UTF8;
  // Pass 1: output offsets and validity; `from[k]` remembers the source row, as
  // row + 1 for a left row, -(row + 1) for a right row, 0 for null.
  const from = new Int32Array(length);
  let total = 0;
  let nulls = 0;
  let byte = 0;
  for (let k = 0; k < length; k++) {
    const i = leftAt ? leftAt[k]! : -1;
    if (i >= 0) {
      if (lv === null || lv[i] === 1) {
        total += lo[i + 1]! - lo[i]!;
        from[k] = i + 1;
        byte |= 1 << (k & 7);
      } else nulls++;
    } else {
      const j = rightAt ? rightAt[k]! : -1;
      if (j >= 0 && (rv === null || rv[j] === 1)) {
        total += ro[j + 1]! - ro[j]!;
        from[k] = -(j + 1);
        byte |= 1 << (k & 7);
      } else nulls++;
    }
    offsets[k + 1] = total;
    if ((k & 7) === 7) (bitmap[k >> 3] = byte), (byte = 0);
  }
  if ((length & 7) !== 0) bitmap[length >> 3] = byte;
  // Pass 2: the bytes, four at a time through DataViews (single unaligned loads and
  // stores once compiled; a subarray per row would cost more than short strings), then the tail.
  const bytes = new Uint8Array(total);
  const out = new DataView(bytes.buffer);
  const lview = new DataView(lb.buffer, lb.byteOffset, lb.byteLength);
  const rview = new DataView(rb.buffer, rb.byteOffset, rb.byteLength);
  for (let k = 0; k < length; k++) {
    const f = from[k]!;
    if (f === 0) continue;
    const fromLeft = f > 0;
    const source = fromLeft ? lb : rb;
    const view = fromLeft ? lview : rview;
    const sourceOffsets = fromLeft ? lo : ro;
    const i = fromLeft ? f - 1 : -f - 1;
    let j = sourceOffsets[i]!;
    const end = sourceOffsets[i + 1]!;
    let at = offsets[k]!;
    for (; j < end - 3; j += 4, at += 4) out.setInt32(at, view.getInt32(j, true), true);
    for (; j < end; j++) bytes[at++] = source[j]!;
  }
  return makeData({ type, length, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : null, valueOffsets: offsets, data: bytes });
}

const EMPTY_UTF8: FlatUtf8 = { kind: 'utf8', offsets: NO_ROWS, bytes: new Uint8Array(0), valid: null };

function gatherBools(type: Bool, length: number, left: Side<FlatBools>, right: Side<FlatBools>): Data {
  const bits = new Uint8Array((length + 7) >> 3);
  const bitmap = new Uint8Array((length + 7) >> 3);
  let valid = 0;
  for (const [side, skip] of [[left, null], [right, left.column ? left.at : null]] as const) {
    if (!side.column) continue;
    const { values, valid: sourceValid } = side.column;
    for (let k = 0; k < length; k++) {
      const i = side.at[k]!;
      if (i < 0 || (skip && skip[k]! >= 0) || (sourceValid && sourceValid[i] === 0)) continue;
      if (values[i] === 1) bits[k >> 3]! |= 1 << (k & 7);
      bitmap[k >> 3]! |= 1 << (k & 7);
      valid++;
    }
  }
  return makeData({ type, length, nullCount: length - valid, nullBitmap: valid < length ? bitmap : null, data: bits });
}
