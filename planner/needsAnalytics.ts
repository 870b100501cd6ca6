import type { DatasetRequest } from './DatasetRequest.ts';
import { hasAnalyticsReferences, parseExpression, type Expression } from './expression/index.ts';

/**
 * Whether a request needs the analytics engine (server/analytics/) instead of the plain
 * plan → cache → source path: it asks for compare, a rolling measure, `previous { ... }`,
 * gap filling, a dataset's own granularity, or a calc (rows or totals) reading total(), parent() or
 * previous.m (docs/DESIGN.md "Analytics", "Combination and execution"). Relative ranges
 * alone do not: they are rewritten to absolute bounds for every request.
 *
 * `calcs` are the request's parsed calcs by text (buildPlan's QueryPlans.calcs); a text
 * missing there is parsed here, as a calc on dataset rows.
 */
export function needsAnalytics(request: DatasetRequest, calcs?: ReadonlyMap<string, Expression>): boolean {
  if (request.compare) return true;
  const rows = request.rows;
  if (rows && ((rows.rolling?.length ?? 0) > 0 || (rows.previous?.length ?? 0) > 0)) return true;
  if (rows?.dimensions.some((d) => (d.custom ?? null) !== null || (d.fill ?? null) !== null)) return true;
  const texts = [...(rows?.calcs ?? []), ...(request.totals?.calcs ?? [])];
  return texts.some((text) => hasAnalyticsReferences(calcs?.get(text) ?? parseExpression(text, { label: 'calc', analytics: true })));
}
