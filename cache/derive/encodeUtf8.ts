import type { Data, Vector } from 'apache-arrow';
import type { CodedColumn } from './columns.ts';

const decoder = new TextDecoder();

/**
 * Dictionary-encodes a Utf8 column on its bytes: each row is hashed (FNV-1a over its
 * length and bytes), looked up in an open-addressing table and compared byte-wise with the
 * copy kept of each distinct value; only distinct values are decoded. Decoding every row
 * would cost most of a roll-up's time. Null rows get one code after the values.
 */
export function encodeUtf8(vector: Vector): CodedColumn {
  const codes = new Int32Array(vector.length);
  const seen = new Distinct();
  let hasNull = false;
  let row = 0;
  for (const chunk of vector.data as Data[]) {
    const offsets = chunk.valueOffsets as Int32Array;
    const bytes = chunk.values as Uint8Array;
    const bitmap = chunk.nullCount > 0 ? chunk.nullBitmap : undefined;
    for (let i = 0; i < chunk.length; i++, row++) {
      const bit = chunk.offset + i;
      if (bitmap && ((bitmap[bit >> 3]! >> (bit & 7)) & 1) === 0) {
        codes[row] = -1;
        hasNull = true;
      } else {
        codes[row] = seen.codeOf(bytes, offsets[i]!, offsets[i + 1]!);
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

/** The distinct byte strings seen so far, numbered in order of appearance. */
class Distinct {
  private pool = new Uint8Array(1024);
  private used = 0;
  private starts: Int32Array = new Int32Array(64);
  private hashes: Int32Array = new Int32Array(64);
  private count = 0;
  private mask = 127;
  private slots: Int32Array = new Int32Array(128); // code + 1; 0 is empty

  codeOf(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    let hash = length | 0;
    for (let j = start; j < end; j++) hash = Math.imul(hash ^ bytes[j]!, 0x01000193);
    const { pool, starts, hashes, slots, mask } = this;
    for (let h = hash & mask; ; h = (h + 1) & mask) {
      const code = slots[h]! - 1;
      if (code < 0) return this.add(bytes, start, end, hash, h);
      if (hashes[code] !== hash || starts[code + 1]! - starts[code]! !== length) continue;
      let same = true;
      for (let j = 0, at = starts[code]!; same && j < length; j++) same = pool[at + j] === bytes[start + j];
      if (same) return code;
    }
  }

  decode(): string[] {
    return Array.from({ length: this.count }, (_, code) => decoder.decode(this.pool.subarray(this.starts[code]!, this.starts[code + 1]!)));
  }

  private add(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const code = this.count++;
    if (this.count + 1 >= this.starts.length) {
      this.starts = grow(this.starts, this.starts.length * 2);
      this.hashes = grow(this.hashes, this.starts.length);
    }
    if (this.used + end - start > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.used + end - start));
      pool.set(this.pool);
      this.pool = pool;
    }
    this.pool.set(bytes.subarray(start, end), this.used);
    this.starts[code] = this.used;
    this.used += end - start;
    this.starts[code + 1] = this.used; // the end of the last value
    this.hashes[code] = hash;
    this.slots[slot] = code + 1;
    if (this.count * 2 > this.mask) this.rehash();
    return code;
  }

  private rehash(): void {
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array(this.mask + 1);
    for (let code = 0; code < this.count; code++) {
      let h = this.hashes[code]! & this.mask;
      while (this.slots[h] !== 0) h = (h + 1) & this.mask;
      this.slots[h] = code + 1;
    }
  }
}

function grow(array: Int32Array, length: number): Int32Array {
  const out = new Int32Array(length);
  out.set(array);
  return out;
}
