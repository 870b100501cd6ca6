/**
 * Orders `candidates` (row or group indices) by the sort keys (see sortKeys.ts), ties by
 * index, then applies OFFSET and LIMIT (null: no limit). When only a few rows are wanted
 * from many, it keeps the best `offset + limit` in a sorted buffer instead of sorting all.
 */
export function sortRows(candidates: Int32Array, keys: readonly Float64Array[], offset: number, limit: number | null): Int32Array {
  const compare = (a: number, b: number): number => {
    for (const key of keys) {
      const x = key[a]!;
      const y = key[b]!;
      if (x < y) return -1;
      if (x > y) return 1;
    }
    return a - b;
  };
  const wanted = limit === null ? candidates.length : Math.min(candidates.length, offset + limit);
  if (wanted <= 0 || offset >= candidates.length) return new Int32Array(0);
  const sorted = wanted * 16 < candidates.length ? best(candidates, wanted, compare) : Int32Array.from(candidates).sort(compare);
  return sorted.slice(offset, wanted);
}

/** The `k` smallest candidates in order, by insertion into a sorted buffer. */
function best(candidates: Int32Array, k: number, compare: (a: number, b: number) => number): Int32Array {
  const buffer: number[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (buffer.length === k && compare(c, buffer[k - 1]!) >= 0) continue;
    let lo = 0;
    let hi = buffer.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(buffer[mid]!, c) <= 0) lo = mid + 1;
      else hi = mid;
    }
    buffer.splice(lo, 0, c);
    if (buffer.length > k) buffer.pop();
  }
  return Int32Array.from(buffer);
}
