import type { CodedKey } from './encodeKeyPair.ts';

/** How unmatched rows are kept: inner keeps none, left the left side's, full both sides'. */
export type JoinKind = 'inner' | 'left' | 'full';

/** Output row k takes left row `left[k]` and right row `right[k]`; -1 is the missing side. */
export interface RowPairs {
  readonly left: Int32Array;
  readonly right: Int32Array;
}

/**
 * Pairs the rows of a join on dense key codes (-1 never matches). The right side's rows
 * are chained per code (`first`/`next`, in right order), so the probe walks the left side
 * once: for each left row its matches in right order, or itself alone when unmatched and
 * the join keeps it; then, for a full join, the unmatched right rows in right order. The
 * pair arrays are allocated once: at an upper bound when right keys are unique (as in
 * aggregates), else at the size counted first.
 */
export function matchRows(kind: JoinKind, key: CodedKey): RowPairs {
  const { left: leftCodes, right: rightCodes, count } = key;
  const first = new Int32Array(count).fill(-1);
  const perCode = new Int32Array(count);
  const next = new Int32Array(rightCodes.length);
  let duplicates = false;
  for (let j = rightCodes.length - 1; j >= 0; j--) {
    const code = rightCodes[j]!;
    if (code < 0) continue;
    next[j] = first[code]!;
    first[code] = j;
    if (perCode[code]!++ > 0) duplicates = true;
  }

  const keepLeft = kind !== 'inner' ? 1 : 0;
  const full = kind === 'full';
  const seenLeft = full ? new Uint8Array(count) : null;
  const size = duplicates ? outputSize(leftCodes, rightCodes, perCode, keepLeft, seenLeft) : leftCodes.length + (full ? rightCodes.length : 0);
  if (!duplicates && seenLeft) for (let i = 0; i < leftCodes.length; i++) if (leftCodes[i]! >= 0) seenLeft[leftCodes[i]!] = 1;
  const left = new Int32Array(size);
  const right = new Int32Array(size);
  let k = 0;
  for (let i = 0; i < leftCodes.length; i++) {
    const code = leftCodes[i]!;
    let j = code < 0 ? -1 : first[code]!;
    if (j < 0) {
      if (keepLeft) {
        left[k] = i;
        right[k++] = -1;
      }
      continue;
    }
    for (; j >= 0; j = next[j]!) {
      left[k] = i;
      right[k++] = j;
    }
  }
  if (seenLeft) {
    for (let j = 0; j < rightCodes.length; j++) {
      const code = rightCodes[j]!;
      if (code >= 0 && seenLeft[code] === 1) continue;
      left[k] = -1;
      right[k++] = j;
    }
  }
  // Without duplicate right keys `size` is an upper bound (each left row gives one row).
  return k === size ? { left, right } : { left: left.subarray(0, k), right: right.subarray(0, k) };
}

/** The exact output size when right keys repeat (each left row may give several rows); marks `seenLeft`. */
function outputSize(leftCodes: Int32Array, rightCodes: Int32Array, perCode: Int32Array, keepLeft: number, seenLeft: Uint8Array | null): number {
  let size = 0;
  for (let i = 0; i < leftCodes.length; i++) {
    const code = leftCodes[i]!;
    const matches = code < 0 ? 0 : perCode[code]!;
    size += matches > 0 ? matches : keepLeft;
    if (seenLeft && code >= 0) seenLeft[code] = 1;
  }
  if (seenLeft) for (let j = 0; j < rightCodes.length; j++) if (rightCodes[j]! < 0 || seenLeft[rightCodes[j]!] === 0) size++;
  return size;
}
