import { initialMask } from './initialMask.ts';

const decoder = new TextDecoder();

/**
 * Numbers distinct UTF-8 byte strings 0, 1, 2, … in order of first appearance. One
 * dictionary spans both sides of a join, so equal values on either side get one code and
 * matching becomes integer comparison. Open addressing (slots hold code + 1; 0 is empty);
 * rows are hashed (murmur-style, four bytes a step) and compared on their bytes, never
 * decoded (a Map of strings would decode every row first). Used by the fusion join and by
 * the cache's roll-ups, which decode only the distinct values.
 */
export class ByteDictionary {
  private pool = new Uint8Array(4096);
  private poolView = new DataView(this.pool.buffer);
  private used = 0;
  private starts: Int32Array = new Int32Array(257); // starts[code] .. starts[code + 1]
  private hashes: Int32Array = new Int32Array(256);
  private count = 0;
  private mask: number;
  private slots: Int32Array;

  constructor(rows: number) {
    this.mask = initialMask(rows);
    this.slots = new Int32Array(this.mask + 1);
  }

  get size(): number {
    return this.count;
  }

  /** The distinct values as strings, by code. */
  decode(): string[] {
    return Array.from({ length: this.count }, (_, code) => decoder.decode(this.pool.subarray(this.starts[code]!, this.starts[code + 1]!)));
  }

  /**
   * The code of `bytes[start .. end]`; `view` is a DataView over the same bytes. Whole
   * words are hashed and compared four bytes at a time through DataViews (V8 compiles
   * their unaligned loads to single instructions), the tail byte by byte.
   */
  codeOf(bytes: Uint8Array, view: DataView, start: number, end: number): number {
    const length = end - start;
    const stop = end - 3;
    let hash = 0x811c9dc5 ^ length;
    let j = start;
    for (; j < stop; j += 4) {
      hash = Math.imul(hash ^ Math.imul(view.getInt32(j, true), 0xcc9e2d51), 0x1b873593);
      hash = (hash << 13) | (hash >>> 19);
    }
    for (; j < end; j++) hash = Math.imul(hash ^ bytes[j]!, 0x01000193);
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash ^= hash >>> 13;
    const { pool, poolView, starts, hashes, slots, mask } = this;
    for (let h = hash & mask; ; h = (h + 1) & mask) {
      const code = slots[h]! - 1;
      if (code < 0) return this.add(bytes, start, end, hash, h);
      if (hashes[code] !== hash) continue;
      const at = starts[code]!;
      if (starts[code + 1]! - at !== length) continue;
      let k = 0;
      while (k < length - 3 && poolView.getInt32(at + k, true) === view.getInt32(start + k, true)) k += 4;
      if (k < length - 3) continue;
      while (k < length && pool[at + k] === bytes[start + k]) k++;
      if (k === length) return code;
    }
  }

  private add(bytes: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const code = this.count++;
    if (this.count >= this.hashes.length) {
      this.hashes = grow(this.hashes, this.hashes.length * 2);
      this.starts = grow(this.starts, this.hashes.length + 1);
    }
    const length = end - start;
    if (this.used + length > this.pool.length) {
      const pool = new Uint8Array(Math.max(this.pool.length * 2, this.used + length));
      pool.set(this.pool.subarray(0, this.used));
      this.pool = pool;
      this.poolView = new DataView(pool.buffer);
    }
    for (let j = 0; j < length; j++) this.pool[this.used + j] = bytes[start + j]!;
    this.used += length;
    this.starts[code + 1] = this.used;
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
