import type { CacheOutcome } from '../../cache/index.ts';
import type { AggregatePlan, QueryPlans } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import type { AnswerOptions, DatasetAnswer, Gateway } from '../GatewayContract.ts';
import { limitProbe } from '../limitProbe.ts';
import { runPlan } from '../runPlan.ts';
import { mergeSlices } from './mergeSlices.ts';
import { planSlices } from './planSlices.ts';
import { knownExtent } from './timeExtent.ts';

/**
 * A plain query answered from the slice cores progressive answers left in the cache: when
 * the cache has no core for the query itself, but the grid cells its range covers are all
 * cached (say, the months of one year after the full history was sharpened), the slices are
 * merged here as DERIVED instead of querying the source. Null (the usual path) otherwise,
 * also when a distinct count would have to be merged, or before any progressive answer read
 * the dataset's extent: nothing is read at the source to decide.
 */
export function answerFromSlices(gateway: Gateway, dataset: DatasetConfig, plans: QueryPlans, options: AnswerOptions): Promise<DatasetAnswer> | null {
  const by = dataset.progressive?.by;
  if (!by || (options.cacheMode ?? 'DEFAULT') !== 'DEFAULT' || !gateway.config.cache.enabled) return null;
  const extent = knownExtent(gateway, dataset, by);
  if (!extent) return null;
  const rows = plans.rows && limitProbe(plans.rows).plan;
  // The usual path when it needs no source query; the slices answer rows and totals together otherwise.
  if ([rows, plans.totals].every((plan) => plan === null || cached(gateway, plan, dataset))) return null;
  const sliced = planSlices(dataset, plans, extent, gateway.config.cache.maxCoreRows);
  if (!sliced || sliced.shape.leaves.some((leaf) => leaf.fn === 'countDistinct')) return null;
  if (!sliced.plans.every((plan) => cached(gateway, plan, dataset))) return null;
  return answerCached(gateway, dataset, plans, sliced.plans, sliced.shape, options);
}

async function answerCached(
  gateway: Gateway,
  dataset: DatasetConfig,
  plans: QueryPlans,
  slicePlans: readonly AggregatePlan[],
  shape: Parameters<typeof mergeSlices>[1],
  options: AnswerOptions,
): Promise<DatasetAnswer> {
  // Each is answered by the cache (it said so just now); a core evicted in between is fetched like any miss.
  const calls: { source: string; sql: string; ms: number; rows: number }[] = [];
  const answers = await Promise.all(slicePlans.map((plan) => runPlan(gateway, plan, dataset, options, calls)));
  // A cached slice core holds every group of its slice (a larger one is never cached whole).
  const merged = mergeSlices(plans, shape, answers.map((a) => a.table), dataset);
  const outcome: CacheOutcome = calls.length > 0 ? 'MISS' : 'DERIVED';
  return {
    rows: merged.rows,
    totals: merged.totals,
    calcs: plans.calcs,
    // gateway.answer reports the request's relative ranges.
    meta: { cache: outcome, sources: calls, ageMs: Math.max(0, ...answers.map((a) => a.ageMs)), truncated: merged.truncated, ranges: [] },
  };
}

function cached(gateway: Gateway, plan: AggregatePlan, dataset: DatasetConfig): boolean {
  const outcome = gateway.cache.decide(plan, dataset).outcome;
  return outcome === 'HIT' || outcome === 'DERIVED';
}
