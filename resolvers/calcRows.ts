import { compileEvaluator, type Expression } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { DatasetAnswer } from '../server/gateway.ts';
import { tableToRows, type ResultRow } from './tableToRows.ts';

/** Rows and totals carry the request's parsed calcs so `calc` fields need not reparse. */
export const CALCS = Symbol('calcs');
export type Calculable = ResultRow & { [CALCS]?: ReadonlyMap<string, Expression> };

/** Gives rows the request's parsed calcs, for `calc` fields. */
export function attachCalcs<T extends ResultRow>(rows: T[], calcs: ReadonlyMap<string, Expression>): (T & Calculable)[] {
  for (const row of rows) (row as Calculable)[CALCS] = calcs;
  return rows;
}

/** Rows of an answer, ready for the row type's resolvers. */
export function answerRows(answer: DatasetAnswer, dataset: DatasetConfig): Calculable[] {
  const rows: Calculable[] = answer.rows ? tableToRows(answer.rows.table, answer.rows.plan, dataset) : [];
  for (const row of rows) row[CALCS] = answer.calcs;
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
