import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Config, DatasetConfig, RelationConfig } from '../schema/index.ts';
import { answerOptions } from './answerOptions.ts';
import { collectFields } from './collectSelection.ts';
import { answerRows } from './calcRows.ts';
import type { RequestContext } from './RequestContext.ts';
import type { ResultRow } from './tableToRows.ts';

type KeyTuple = readonly (string | number | boolean)[];

/** DataLoaders live as long as one request: its context. */
const loadersOf = new WeakMap<object, Map<string, DataLoader<KeyTuple, ResultRow | null, string>>>();

/**
 * Resolves a relation field: the row of the related dataset whose key dimensions equal
 * this row's. All rows of a request asking for the same relation with the same selection
 * share one DataLoader, so the related dataset is queried once per request (keys as one
 * bound IN list), through the cache like any query.
 */
export function relationResolver(dataset: DatasetConfig, relation: RelationConfig, config: Config) {
  const target = config.datasets[relation.dataset]!;
  const mine = Object.keys(relation.on);
  const theirs = Object.values(relation.on);
  const keyOf = (d: DatasetConfig, name: string) => (d.dimensions[name]!.type === 'time' ? `${name}.${d.dimensions[name]!.granularity}` : name);

  return (row: ResultRow, _args: unknown, ctx: RequestContext, info: GraphQLResolveInfo) => {
    const key = mine.map((m) => row[keyOf(dataset, m)]);
    if (key.some((k) => k === null || k === undefined)) return null;
    const selection = collectFields(info.fieldNodes[0]!, `${target.typeName}Row`, info, target);
    const signature = `${relation.name}:${JSON.stringify(selection)}`;
    let loaders = loadersOf.get(ctx);
    if (!loaders) loadersOf.set(ctx, (loaders = new Map()));
    let loader = loaders.get(signature);
    if (!loader) {
      loader = new DataLoader<KeyTuple, ResultRow | null, string>((keys) => loadBatch(ctx, keys, selection), {
        cacheKeyFn: (k) => JSON.stringify(k),
        maxBatchSize: config.server.maxInList,
      });
      loaders.set(signature, loader);
    }
    return loader.load(key as KeyTuple);
  };

  async function loadBatch(ctx: RequestContext, keys: readonly KeyTuple[], selection: ReturnType<typeof collectFields>): Promise<(ResultRow | null)[]> {
    const answer = await ctx.gateway.answer(
      {
        dataset: target.name,
        rows: {
          dimensions: [...theirs.map((name) => ({ name, granularity: null })), ...selection.dimensions],
          measures: selection.measures,
          calcs: selection.calcs,
        },
        totals: null,
        where: keyFilter(keys),
        limit: config.server.maxLimit,
      },
      answerOptions(ctx),
    );
    const byKey = new Map<string, ResultRow>();
    for (const row of answerRows(answer, target)) {
      const k = JSON.stringify(theirs.map((name) => row[keyOf(target, name)]));
      if (!byKey.has(k)) byKey.set(k, row); // the first group of a key, in the plan's order
    }
    return keys.map((k) => byKey.get(JSON.stringify(k)) ?? null);
  }

  /** One key: an IN list. Several: an OR of equalities. Values stay bound parameters. */
  function keyFilter(keys: readonly KeyTuple[]): Record<string, unknown> {
    if (theirs.length === 1 && ['string', 'number'].includes(target.dimensions[theirs[0]!]!.type)) {
      return { [theirs[0]!]: { in: [...new Set(keys.map((k) => k[0]))] } };
    }
    return { OR: keys.map((k) => Object.fromEntries(theirs.map((name, i) => [name, { eq: k[i] }]))) };
  }
}
