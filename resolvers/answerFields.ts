import type { DatasetConfig } from '../schema/index.ts';
import type { DatasetAnswer } from '../server/gateway.ts';
import { answerRows, CALCS, type Calculable } from './calcRows.ts';
import type { RequestContext } from './RequestContext.ts';
import { tableToRows } from './tableToRows.ts';

/** The `rows`, `totals` and `meta` fields of a dataset answer (a query's result, or a progressive version). */
export function answerFields(ctx: RequestContext, answered: DatasetAnswer, dataset: DatasetConfig) {
  const rows = answerRows(answered, dataset);
  const totals: Calculable = answered.totals ? (tableToRows(answered.totals.table, answered.totals.plan, dataset)[0] ?? {}) : {};
  totals[CALCS] = answered.calcs;
  return { rows, totals, meta: metaFor(ctx, answered.meta) };
}

/**
 * The SQL of `meta.sources` names tables and columns and shows the shape of the caller's
 * row policy: only "*" roles (and an open gateway) see it.
 */
export function metaFor(ctx: RequestContext, answered: DatasetAnswer['meta']): DatasetAnswer['meta'] {
  // ranges is non-null in the schema: an answer built without it reports none.
  const meta = answered.ranges ? answered : { ...answered, ranges: [] };
  if (!ctx.access || ctx.access.role.all) return meta;
  return { ...meta, sources: meta.sources.map((s) => ({ ...s, sql: '(hidden for this role)' })) };
}
