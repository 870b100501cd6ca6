type Row = Readonly<Record<string, unknown>>;

/**
 * The first difference between two lists of result rows, or null when they agree: same
 * length, same order, same keys, numbers equal within 1e-9 relative (float sums depend on
 * the order they are added in), everything else strictly equal.
 */
export function rowDifference(got: readonly Row[], want: readonly Row[]): string | null {
  if (got.length !== want.length) return `got ${got.length} rows, want ${want.length}`;
  for (const [i, w] of want.entries()) {
    const g = got[i]!;
    for (const key of new Set([...Object.keys(g), ...Object.keys(w)])) {
      const [a, b] = [g[key], w[key]];
      const same = typeof a === 'number' && typeof b === 'number' ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)) : a === b;
      if (!same) return `row ${i} ${key}: got ${JSON.stringify(a)}, want ${JSON.stringify(b)}\n  got row ${JSON.stringify(g)}\n want row ${JSON.stringify(w)}`;
    }
  }
  return null;
}

/** Fails with `label` and the whole difference (an assertion on the string would truncate it). */
export function expectSameRows(got: readonly Row[], want: readonly Row[], label: string): void {
  const difference = rowDifference(got, want);
  if (difference !== null) throw new Error(`${label}\n${difference}`);
}
