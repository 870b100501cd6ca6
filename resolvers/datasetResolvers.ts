import type { GraphQLResolveInfo } from 'graphql';
import { needsAnalytics, type DatasetRequest } from '../planner/index.ts';
import type { Config, DatasetConfig } from '../schema/index.ts';
import type { AnswerOptions, DatasetAnswer } from '../server/gateway.ts';
import { analyticsFieldResolvers } from './analyticsFieldResolvers.ts';
import { answerOptions } from './answerOptions.ts';
import { answerAnalytics } from './analytics/answerAnalytics.ts';
import { answerFields, metaFor } from './answerFields.ts';
import { resolveCalc } from './calcRows.ts';
import { collectSelection } from './collectSelection.ts';
import { relationResolver } from './relationResolver.ts';
import { createSelectionMemo } from './selectionMemo.ts';
import type { RequestContext } from './RequestContext.ts';
import type { ResultRow } from './tableToRows.ts';

type Resolvers = Record<string, Record<string, unknown>>;

export type AnswerFn = (ctx: RequestContext, request: DatasetRequest, options: AnswerOptions) => Promise<DatasetAnswer>;

/**
 * Resolvers for one dataset (or a fusion's view): its Query field, time dimension fields,
 * calc fields and relations. `answer` runs the request: the gateway for a dataset, the
 * fusion join for a fusion. With `analytics` (datasets), a request asking for compare,
 * rolling, previous, fill, a custom granularity or total/parent goes to answerAnalytics.
 */
export function datasetResolvers(dataset: DatasetConfig, config: Config, answer: AnswerFn, analytics = false): Resolvers {
  const t = dataset.typeName;
  const rowResolvers: Record<string, unknown> = { calc: resolveCalc, ...(analytics ? analyticsFieldResolvers(dataset) : {}) };
  for (const relation of Object.values(dataset.relations)) rowResolvers[relation.name] = relationResolver(dataset, relation, config);
  for (const dim of Object.values(dataset.dimensions)) {
    if (dim.type !== 'time') continue;
    // The row key of each granularity (`orderDate.month`), made once, not per row and field.
    const keys = new Map<string, string>();
    const keyOf = (granularity: string) => {
      let key = keys.get(granularity);
      if (key === undefined) keys.set(granularity, (key = `${dim.name}.${granularity.toLowerCase()}`));
      return key;
    };
    rowResolvers[dim.name] = (row: ResultRow, args: { granularity?: string | null }) => row[keyOf(args.granularity ?? dim.granularity)] ?? null;
  }
  const selections = createSelectionMemo();
  return {
    Query: {
      [dataset.name]: async (_: unknown, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo) => {
        const request = selections(info, () => collectSelection(dataset, args, info));
        const cacheMode = (args.cache ?? 'DEFAULT') as 'DEFAULT' | 'BYPASS' | 'REFRESH';
        const options = answerOptions(ctx, { cacheMode });
        if (analytics && needsAnalytics(request)) {
          const answered = await answerAnalytics(ctx, dataset, request, options);
          return { rows: answered.rows, totals: answered.totals, meta: metaFor(ctx, answered.meta) };
        }
        return answerFields(ctx, await answer(ctx, request, options), dataset);
      },
    },
    [`${t}Row`]: rowResolvers,
    [`${t}Totals`]: { calc: resolveCalc },
  };
}

