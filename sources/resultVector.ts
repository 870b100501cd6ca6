import { Bool, Float64, makeData, makeVector, Utf8, type Vector } from 'apache-arrow';
import type { ResultColumn } from '../planner/index.ts';

/**
 * An Arrow vector of one result column, written straight into its typed arrays: numbers
 * and times as Float64 (times are wall-clock epoch ms, see planner/time/zonedTime.ts),
 * strings as Utf8, booleans as Bool. `valueAt(i)` gives the i-th value; null and undefined
 * are nulls, numbers given as strings (numeric, bigint) become numbers and anything given
 * for a string column its String(). The result is the vector apache-arrow's vectorFromArray
 * builds from the same values, at a fraction of the cost (its builders go value by value
 * through a generic machinery), which is per-miss work on every cache miss.
 */
export function resultVector(type: ResultColumn['type'], length: number, valueAt: (i: number) => unknown): Vector {
  if (type === 'string') return utf8Vector(length, valueAt);
  if (type === 'boolean') return boolVector(length, valueAt);
  return float64Vector(length, valueAt);
}

function float64Vector(length: number, valueAt: (i: number) => unknown): Vector {
  const values = new Float64Array(length);
  const valid = new Validity(length);
  for (let i = 0; i < length; i++) {
    const v = valueAt(i);
    if (v === null || v === undefined) valid.setNull(i);
    else values[i] = typeof v === 'number' ? v : Number(v);
  }
  return makeVector(makeData({ type: new Float64(), length, nullCount: valid.nulls, nullBitmap: valid.bitmap(), data: values }));
}

function utf8Vector(length: number, valueAt: (i: number) => unknown): Vector {
  const valueOffsets = new Int32Array(length + 1);
  const valid = new Validity(length);
  const texts: string[] = [];
  let bytes = 0;
  for (let i = 0; i < length; i++) {
    const v = valueAt(i);
    if (v === null || v === undefined) valid.setNull(i);
    else {
      const text = typeof v === 'string' ? v : String(v);
      texts.push(text);
      bytes += Buffer.byteLength(text, 'utf8');
    }
    valueOffsets[i + 1] = bytes;
  }
  const data = new Uint8Array(bytes);
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).write(texts.join(''), 'utf8');
  return makeVector(makeData({ type: new Utf8(), length, nullCount: valid.nulls, nullBitmap: valid.bitmap(), valueOffsets, data }));
}

function boolVector(length: number, valueAt: (i: number) => unknown): Vector {
  const bits = new Uint8Array((length + 7) >> 3);
  const valid = new Validity(length);
  for (let i = 0; i < length; i++) {
    const v = valueAt(i);
    if (v === null || v === undefined) valid.setNull(i);
    else if (v) bits[i >> 3]! |= 1 << (i & 7);
  }
  return makeVector(makeData({ type: new Bool(), length, nullCount: valid.nulls, nullBitmap: valid.bitmap(), data: bits }));
}

/** An Arrow validity bitmap (1 = valid), made only once a null shows up. */
class Validity {
  private bits: Uint8Array | null = null;
  nulls = 0;

  constructor(private readonly length: number) {}

  setNull(i: number): void {
    if (!this.bits) this.bits = new Uint8Array((this.length + 7) >> 3).fill(0xff);
    this.bits[i >> 3]! &= ~(1 << (i & 7));
    this.nulls += 1;
  }

  /** The bitmap, or an empty one when every value is valid (Arrow's convention). */
  bitmap(): Uint8Array {
    return this.bits ?? new Uint8Array(0);
  }
}
