import type { CodedKey } from './encodeKeyPair.ts';

/**
 * A direct lookup table is used while it has at most this many slots per row (plus a
 * small floor); sparser combinations are hashed, so memory stays linear in the rows.
 */
const DIRECT_SLOTS_PER_ROW = 4;
const DIRECT_FLOOR = 4096;

/**
 * Composite keys as one code: each distinct (a, b) pair of codes, over both sides, gets a
 * code in order of first appearance; a row with a null part (-1) stays -1. Folding the
 * keys pairwise turns any key tuple into one integer without building strings per row.
 */
export function combineKeys(a: CodedKey, b: CodedKey): CodedKey {
  const product = a.count * b.count;
  const rows = a.left.length + a.right.length;
  return product <= Math.max(DIRECT_FLOOR, rows * DIRECT_SLOTS_PER_ROW) ? combineDirect(a, b) : combineHashed(a, b);
}

/** Pair (x, y) is slot x * count(b) + y of a table of codes + 1 (0 is unseen). */
function combineDirect(a: CodedKey, b: CodedKey): CodedKey {
  const table = new Int32Array(a.count * b.count);
  const width = b.count;
  let count = 0;
  const pass = (xs: Int32Array, ys: Int32Array): Int32Array => {
    const out = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      if (x < 0 || y < 0) {
        out[i] = -1;
        continue;
      }
      const slot = x * width + y;
      let code = table[slot]! - 1;
      if (code < 0) table[slot] = (code = count++) + 1;
      out[i] = code;
    }
    return out;
  };
  const left = pass(a.left, b.left);
  const right = pass(a.right, b.right);
  return { left, right, count };
}

/** Open addressing on the pair; sized for every row being distinct. */
function combineHashed(a: CodedKey, b: CodedKey): CodedKey {
  const rows = a.left.length + a.right.length;
  let size = 64;
  while (size < rows * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size); // code + 1
  const xsOf = new Int32Array(rows);
  const ysOf = new Int32Array(rows);
  let count = 0;
  const pass = (xs: Int32Array, ys: Int32Array): Int32Array => {
    const out = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const y = ys[i]!;
      if (x < 0 || y < 0) {
        out[i] = -1;
        continue;
      }
      let h = Math.imul(x ^ Math.imul(y, 0x9e3779b1), 0x85ebca6b);
      h = (h ^ (h >>> 15)) & mask;
      for (;;) {
        const code = slots[h]! - 1;
        if (code < 0) {
          xsOf[count] = x;
          ysOf[count] = y;
          slots[h] = ++count;
          out[i] = count - 1;
          break;
        }
        if (xsOf[code] === x && ysOf[code] === y) {
          out[i] = code;
          break;
        }
        h = (h + 1) & mask;
      }
    }
    return out;
  };
  const left = pass(a.left, b.left);
  const right = pass(a.right, b.right);
  return { left, right, count };
}
