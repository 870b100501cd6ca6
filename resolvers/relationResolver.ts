import DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import type { Config, DatasetConfig, RelationConfig } from '../schema/index.ts';
import type { AnswerOptions } from '../server/gateway.ts';
import { answerOptions } from './answerOptions.ts';
import { collectFields } from './collectSelection.ts';
import { answerRows } from './calcRows.ts';
import type { RequestContext } from './RequestContext.ts';
import type { ResultRow } from './tableToRows.ts';

type KeyTuple = readonly (string | number | boolean)[];

/** DataLoaders live as long as their scope: a request's context, or a row's LOOKUP_SCOPE. */
const loadersOf = new WeakMap<object, Map<string, DataLoader<KeyTuple, ResultRow | null, string>>>();

/**
 * Rows that carry a scope under this key are looked up per scope instead of per request:
 * a stream window version's rows carry one object per version (and subscription shape), so
 * its relations are batched once per version, and a subscription living for hours neither
 * keeps stale rows nor grows a loader cache. Such rows are shared by subscriptions
 * (server/sharedExecution), so their lookups do not take the first subscriber's abort signal:
 * that subscriber leaving must not fail the others' versions.
 */
export const LOOKUP_SCOPE = Symbol('lookupScope');
type Scoped = ResultRow & { [LOOKUP_SCOPE]?: object };

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

  return (row: Scoped, _args: unknown, ctx: RequestContext, info: GraphQLResolveInfo) => {
    const key = mine.map((m) => row[keyOf(dataset, m)]);
    if (key.some((k) => k === null || k === undefined)) return null;
    const selection = collectFields(info.fieldNodes[0]!, `${target.typeName}Row`, info, target);
    const signature = `${relation.name}:${JSON.stringify(selection)}`;
    const scope = row[LOOKUP_SCOPE] ?? ctx;
    let loaders = loadersOf.get(scope);
    if (!loaders) loadersOf.set(scope, (loaders = new Map()));
    let loader = loaders.get(signature);
    if (!loader) {
      const options = scope === ctx ? answerOptions(ctx) : answerOptions(ctx, { signal: undefined });
      loader = new DataLoader<KeyTuple, ResultRow | null, string>((keys) => loadBatch(ctx, options, keys, selection), {
        cacheKeyFn: (k) => JSON.stringify(k),
        maxBatchSize: config.server.maxInList,
      });
      loaders.set(signature, loader);
    }
    return loader.load(key as KeyTuple);
  };

  async function loadBatch(ctx: RequestContext, options: AnswerOptions, keys: readonly KeyTuple[], selection: ReturnType<typeof collectFields>): Promise<(ResultRow | null)[]> {
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
      options,
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
