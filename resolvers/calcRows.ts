import type { Table } from 'apache-arrow';
import { LRUCache } from 'lru-cache';
import { compileEvaluator, type AggregatePlan, type Expression } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { DatasetAnswer } from '../server/gateway.ts';
import { fingerprintOf, firstBufferOf, sameFingerprint, type Fingerprint } from './sameData.ts';
import { tableToRows, type ResultRow } from './tableToRows.ts';

/** Rows and totals carry the request's parsed calcs so `calc` fields need not reparse. */
export const CALCS = Symbol('calcs');
export type Calculable = ResultRow & { [CALCS]?: ReadonlyMap<string, Expression> };

/** Gives rows the request's parsed calcs, for `calc` fields. */
export function attachCalcs<T extends ResultRow>(rows: T[], calcs: ReadonlyMap<string, Expression>): (T & Calculable)[] {
  for (const row of rows) (row as Calculable)[CALCS] = calcs;
  return rows;
}

/** Cells (rows × fields) of the row arrays kept for reuse, all tables together. */
const REUSED_CELLS = 500_000;

interface Reused {
  readonly fingerprint: Fingerprint;
  readonly plan: AggregatePlan;
  readonly dataset: DatasetConfig;
  readonly calcs: ReadonlyMap<string, Expression>;
  readonly rows: Calculable[];
}

/**
 * Row arrays of recent answers, by the Arrow table they were built from. The cache hands
 * back the same table for a repeated HIT (an entry's table, or its memoized derived table),
 * or a new slice of it for a top-N (found through its first buffer and compared by
 * fingerprint, sameData.ts), and the planner the same plan and calcs for a repeated
 * request, so a repeated HIT reuses its rows instead of building them again. Rows are never changed once built (resolvers
 * only read them, and a row's calcs are part of the key), so requests may share them.
 * Bounded by cells, least recently used first out.
 */
const reused = new LRUCache<Table, Reused>({
  maxSize: REUSED_CELLS,
  sizeCalculation: (r) => Math.max(1, r.rows.length * (r.plan.dimensions.length + r.plan.measures.length)),
});

/** The last table kept whose cells start in a buffer: where a new slice of it is looked for. */
const byFirstBuffer = new WeakMap<ArrayBuffer, Table>();

/** Rows of an answer, ready for the row type's resolvers. */
export function answerRows(answer: DatasetAnswer, dataset: DatasetConfig): Calculable[] {
  if (!answer.rows) return [];
  const { table, plan } = answer.rows;
  const same = (r: Reused | undefined) => r !== undefined && r.plan === plan && r.dataset === dataset && r.calcs === answer.calcs;
  const found = reused.get(table);
  if (same(found)) return found!.rows;
  const fingerprint = fingerprintOf(table);
  const buffer = firstBufferOf(table);
  const sibling = buffer && byFirstBuffer.get(buffer);
  const sliced = sibling && reused.get(sibling);
  if (same(sliced) && sameFingerprint(sliced!.fingerprint, fingerprint)) return sliced!.rows;
  const rows: Calculable[] = attachCalcs(tableToRows(table, plan, dataset), answer.calcs);
  reused.set(table, { fingerprint, plan, dataset, calcs: answer.calcs, rows }); // lru-cache skips an answer larger than the whole bound
  if (buffer) byFirstBuffer.set(buffer, table);
  return rows;
}

const evaluators = new WeakMap<Expression, ReturnType<typeof compileEvaluator>>();

export function resolveCalc(row: Calculable, args: { expr: string }): number | null {
  const expr = row[CALCS]?.get(args.expr);
  if (!expr) return null; // planned with every calc of the request; unreachable for valid requests
  let evaluate = evaluators.get(expr);
  if (!evaluate) evaluators.set(expr, (evaluate = compileEvaluator(expr)));
  return evaluate((name) => {
    const value = row[name];
    return typeof value === 'number' ? value : null;
  });
}
