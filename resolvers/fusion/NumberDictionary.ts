import { initialMask } from '../../cache/index.ts';

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/**
 * Doubles by value, numbered in order of first appearance over both sides of a join (see
 * ByteDictionary): -0 and 0 are one value (equal in SQL), and so are all NaNs. Open
 * addressing on the bits costs several times less per row than a Map of doubles.
 */
export class NumberDictionary {
  private values = new Float64Array(256);
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
      while (this.slots[h] !== 0) h = (h + 1) & this.mask;
      this.slots[h] = code + 1;
    }
  }
}
