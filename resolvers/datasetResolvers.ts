import type { GraphQLResolveInfo } from 'graphql';
import { compileEvaluator, type Expression } from '../planner/index.ts';
import type { DatasetRequest } from '../planner/index.ts';
import type { Config, DatasetConfig } from '../schema/index.ts';
import type { AnswerOptions, DatasetAnswer } from '../server/gateway.ts';
import { answerOptions } from './answerOptions.ts';
import { collectSelection } from './collectSelection.ts';
import { relationResolver } from './relationResolver.ts';
import type { RequestContext } from './RequestContext.ts';
import { tableToRows, type ResultRow } from './tableToRows.ts';

type Resolvers = Record<string, Record<string, unknown>>;

/** Rows and totals carry the request's parsed calcs so `calc` fields need not reparse. */
const CALCS = Symbol('calcs');
type Calculable = ResultRow & { [CALCS]?: ReadonlyMap<string, Expression> };

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

export type AnswerFn = (ctx: RequestContext, request: DatasetRequest, options: AnswerOptions) => Promise<DatasetAnswer>;

/**
 * Resolvers for one dataset (or a fusion's view): its Query field, time dimension fields,
 * calc fields and relations. `answer` runs the request: the gateway for a dataset, the
 * fusion join for a fusion.
 */
export function datasetResolvers(dataset: DatasetConfig, config: Config, answer: AnswerFn): Resolvers {
  const t = dataset.typeName;
  const rowResolvers: Record<string, unknown> = { calc: resolveCalc };
  for (const relation of Object.values(dataset.relations)) rowResolvers[relation.name] = relationResolver(dataset, relation, config);
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
        const answered = await answer(ctx, request, answerOptions(ctx, { cacheMode }));
        const rows = answerRows(answered, dataset);
        const totals: Calculable = answered.totals ? (tableToRows(answered.totals.table, answered.totals.plan, dataset)[0] ?? {}) : {};
        totals[CALCS] = answered.calcs;
        return { rows, totals, meta: metaFor(ctx, answered.meta) };
      },
    },
    [`${t}Row`]: rowResolvers,
    [`${t}Totals`]: { calc: resolveCalc },
  };
}

/**
 * The SQL of `meta.sources` names tables and columns and shows the shape of the caller's
 * row policy: only "*" roles (and an open gateway) see it.
 */
function metaFor(ctx: RequestContext, meta: DatasetAnswer['meta']): DatasetAnswer['meta'] {
  if (!ctx.access || ctx.access.role.all) return meta;
  return { ...meta, sources: meta.sources.map((s) => ({ ...s, sql: '(hidden for this role)' })) };
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
