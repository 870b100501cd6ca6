import type { CompiledQuery } from '../planner/index.ts';

/** What EXPLAIN (FORMAT JSON) answers in Postgres and PGlite: the top plan node's row estimate. */
export function explainSql(query: CompiledQuery): string {
  return `explain (format json) ${query.sql}`;
}

export function planRowsOf(explained: unknown): number | null {
  const parsed = typeof explained === 'string' ? JSON.parse(explained) : explained;
  const rows = (parsed as { Plan?: { 'Plan Rows'?: unknown } }[] | undefined)?.[0]?.Plan?.['Plan Rows'];
  return typeof rows === 'number' && Number.isFinite(rows) ? rows : null;
}
