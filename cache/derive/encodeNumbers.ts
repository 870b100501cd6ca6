import type { CodedColumn, NumberColumn } from './columns.ts';

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);

/** A well-mixed 32-bit hash of a double's bits. */
function hashNumber(v: number): number {
  scratch[0] = v;
  return Math.imul(words[0]! ^ Math.imul(words[1]!, 0x9e3779b1), 0x85ebca6b) ^ (words[1]! >>> 13);
}

/**
 * Dictionary-encodes numbers with an open-addressing hash table (a Map of doubles costs
 * several times more per row). -0 and 0 share a code, as they compare equal in SQL.
 */
export function encodeNumbers(column: NumberColumn): CodedColumn {
  const n = column.values.length;
  const codes = new Int32Array(n);
  const values: (number | null)[] = [];
  let nullCode = -1;
  let mask = 63;
  let slots: Int32Array = new Int32Array(mask + 1); // code + 1; 0 is empty
  for (let i = 0; i < n; i++) {
    if (column.valid && column.valid[i] === 0) {
      if (nullCode < 0) nullCode = values.push(null) - 1;
      codes[i] = nullCode;
      continue;
    }
    const v = column.values[i]! + 0; // -0 + 0 is 0
    let h = hashNumber(v) & mask;
    for (;;) {
      const slot = slots[h]!;
      if (slot === 0) {
        slots[h] = values.push(v);
        codes[i] = values.length - 1;
        if (values.length * 2 > mask) slots = rehash(values, (mask = mask * 2 + 1));
        break;
      }
      const w = values[slot - 1];
      if (w === v || (v !== v && w !== w)) {
        codes[i] = slot - 1;
        break;
      }
      h = (h + 1) & mask;
    }
  }
  return { codes, values };
}

function rehash(values: readonly (number | null)[], mask: number): Int32Array {
  const slots = new Int32Array(mask + 1);
  values.forEach((v, code) => {
    if (v === null) return;
    let h = hashNumber(v) & mask;
    while (slots[h] !== 0) h = (h + 1) & mask;
    slots[h] = code + 1;
  });
  return slots;
}
