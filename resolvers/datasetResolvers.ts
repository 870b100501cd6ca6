import type { GraphQLResolveInfo } from 'graphql';
import { compileEvaluator, type Expression } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import { collectSelection } from './collectSelection.ts';
import type { RequestContext } from './RequestContext.ts';
import { tableToRows, type ResultRow } from './tableToRows.ts';

type Resolvers = Record<string, Record<string, unknown>>;

/** Rows and totals carry the request's parsed calcs so `calc` fields need not reparse. */
const CALCS = Symbol('calcs');
type Calculable = ResultRow & { [CALCS]?: ReadonlyMap<string, Expression> };

/** Resolvers for one dataset: its Query field, time dimension fields and calc fields. */
export function datasetResolvers(dataset: DatasetConfig): Resolvers {
  const t = dataset.typeName;
  const rowResolvers: Record<string, unknown> = { calc: resolveCalc };
  for (const dim of Object.values(dataset.dimensions)) {
    if (dim.type !== 'time') continue;
    rowResolvers[dim.name] = (row: ResultRow, args: { granularity?: string | null }) =>
      row[`${dim.name}.${(args.granularity ?? dim.granularity).toLowerCase()}`] ?? null;
  }
  return {
    Query: {
      [dataset.name]: async (_: unknown, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo) => {
        const request = collectSelection(dataset, args, info);
        const cacheMode = (args.cache ?? 'DEFAULT') as 'DEFAULT' | 'BYPASS' | 'REFRESH';
        const answer = await ctx.gateway.answer(request, { signal: ctx.signal, cacheMode });
        const rows: Calculable[] = answer.rows ? tableToRows(answer.rows.table, answer.rows.plan, dataset) : [];
        const totals: Calculable = answer.totals ? (tableToRows(answer.totals.table, answer.totals.plan, dataset)[0] ?? {}) : {};
        for (const row of rows) row[CALCS] = answer.calcs;
        totals[CALCS] = answer.calcs;
        return { rows, totals, meta: answer.meta };
      },
    },
    [`${t}Row`]: rowResolvers,
    [`${t}Totals`]: { calc: resolveCalc },
  };
}

const evaluators = new WeakMap<Expression, ReturnType<typeof compileEvaluator>>();

function resolveCalc(row: Calculable, args: { expr: string }): number | null {
  const expr = row[CALCS]?.get(args.expr);
  if (!expr) return null; // planned with every calc of the request; unreachable for valid requests
  let evaluate = evaluators.get(expr);
  if (!evaluate) evaluators.set(expr, (evaluate = compileEvaluator(expr)));
  return evaluate((name) => {
    const value = row[name];
    return typeof value === 'number' ? value : null;
  });
}
