/**
 * The row estimate of `EXPLAIN (TYPE IO, FORMAT JSON)` (https://trino.io/docs/476/sql/explain.html):
 * the top-level `estimate.outputRowCount`, which is the planner's estimate of the rows the
 * statement returns (for a grouped core: its groups). Trino reports `NaN` (or omits it)
 * when the connector has no statistics: that, and anything unreadable, is null.
 */
export function estimatedOutputRows(explained: unknown): number | null {
  let parsed: unknown = explained;
  if (typeof explained === 'string') {
    try {
      parsed = JSON.parse(explained);
    } catch {
      return null;
    }
  }
  const rows = (parsed as { estimate?: { outputRowCount?: unknown } } | null)?.estimate?.outputRowCount;
  const n = typeof rows === 'string' ? Number(rows) : rows;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : null;
}
