/**
 * Open-addressing dictionaries that number distinct key values 0, 1, 2, … in order of
 * first appearance. One dictionary spans both sides of a join, so equal values on either
 * side get one code and matching becomes integer comparison. (A Map of strings would
 * decode every row first; a Map of doubles costs several times more per row.)
 */

const EMPTY = 0; // slots hold code + 1

/** UTF-8 byte strings, hashed (murmur-style, four bytes a step) and compared on their bytes: only rows are read, never decoded. */
export class ByteDictionary {
  private pool = new Uint8Array(4096);
  private used = 0;
  private starts: Int32Array = new Int32Array(257); // starts[code] .. starts[code + 1]
  private hashes: Int32Array = new Int32Array(256);
  private count = 0;
  private mask: number;
  private slots: Int32Array;

  constructor(rows: number) {
    this.mask = tableMask(rows);
    this.slots = new Int32Array(this.mask + 1);
  }

  get size(): number {
    return this.count;
  }

  codeOf(bytes: Uint8Array, start: number, end: number): number {
    const length = end - start;
    // Four bytes per multiply (murmur-style mixing), then the tail byte by byte.
    let hash = 0x811c9dc5 ^ length;
    let j = start;
    for (const stop = end - 3; j < stop; j += 4) {
      const word = bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24);
      hash = Math.imul(hash ^ Math.imul(word, 0xcc9e2d51), 0x1b873593);
      hash = (hash << 13) | (hash >>> 19);
    }
    for (; j < end; j++) hash = Math.imul(hash ^ bytes[j]!, 0x01000193);
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash ^= hash >>> 13;
    const { pool, starts, hashes, slots, mask } = this;
    for (let h = hash & mask; ; h = (h + 1) & mask) {
      const code = slots[h]! - 1;
      if (code < 0) return this.add(bytes, start, end, hash, h);
      if (hashes[code] !== hash) continue;
      const at = starts[code]!;
      if (starts[code + 1]! - at !== length) continue;
      let k = 0;
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
      while (this.slots[h] !== EMPTY) h = (h + 1) & this.mask;
      this.slots[h] = code + 1;
    }
  }
}

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/** Doubles by value: -0 and 0 are one value (equal in SQL), and so are all NaNs. */
export class NumberDictionary {
  private values = new Float64Array(256);
  private count = 0;
  private mask: number;
  private slots: Int32Array;

  constructor(rows: number) {
    this.mask = tableMask(rows);
    this.slots = new Int32Array(this.mask + 1);
  }

  get size(): number {
    return this.count;
  }

  codeOf(value: number): number {
    const v = value === value ? value + 0 : NaN; // -0 + 0 is 0; one NaN bit pattern
    scratch[0] = v;
    const hash = Math.imul(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1), 0x85ebca6b) ^ (words[1]! >>> 13);
    const { values, slots, mask } = this;
    for (let h = (hash ^ (hash >>> 16)) & mask; ; h = (h + 1) & mask) {
      const code = slots[h]! - 1;
      if (code < 0) return this.add(v, h);
      const w = values[code]!;
      if (w === v || (v !== v && w !== w)) return code;
    }
  }

  private add(v: number, slot: number): number {
    const code = this.count++;
    if (this.count > this.values.length) {
      const values = new Float64Array(this.values.length * 2);
      values.set(this.values);
      this.values = values;
    }
    this.values[code] = v;
    this.slots[slot] = code + 1;
    if (this.count * 2 > this.mask) this.rehash();
    return code;
  }

  private rehash(): void {
    const values = this.values.subarray(0, this.count);
    this.mask = this.mask * 2 + 1;
    this.slots = new Int32Array(this.mask + 1);
    for (let code = 0; code < this.count; code++) {
      scratch[0] = values[code]!;
      const hash = Math.imul(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1), 0x85ebca6b) ^ (words[1]! >>> 13);
      let h = (hash ^ (hash >>> 16)) & this.mask;
      while (this.slots[h] !== EMPTY) h = (h + 1) & this.mask;
      this.slots[h] = code + 1;
    }
  }
}

/**
 * The initial power-of-two mask. Key columns of aggregates often have few distinct values
 * (regions, months), and a table sized for every row would spill out of the CPU caches, so
 * the table starts small and doubles as values arrive.
 */
function tableMask(rows: number): number {
  let size = 64;
  while (size < rows * 2 && size < INITIAL_SLOTS_CAP) size *= 2;
  return size - 1;
}

const INITIAL_SLOTS_CAP = 4096;

function grow(array: Int32Array, length: number): Int32Array {
  const out = new Int32Array(length);
  out.set(array);
  return out;
}
