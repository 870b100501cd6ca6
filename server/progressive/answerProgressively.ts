import type { Table } from 'apache-arrow';
import type { CacheOutcome } from '../../cache/index.ts';
import { formatWall, withResolvedRanges, type AggregatePlan, type DatasetRequest, type QueryPlans } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { rowPolicy } from '../../security/index.ts';
import type { AnswerOptions, DatasetAnswer, Gateway, ProgressiveVersion, ProgressSlice, SourceCall } from '../GatewayContract.ts';
import { limitProbe } from '../limitProbe.ts';
import { runPlan, summarizeOutcomes } from '../runPlan.ts';
import { createSourceSlots } from '../SourceSlots.ts';
import { mergeSlices } from './mergeSlices.ts';
import { planSlices } from './planSlices.ts';
import type { SliceShape } from './slicePlans.ts';
import { timeExtent } from './timeExtent.ts';
import { VersionQueue } from './VersionQueue.ts';

/**
 * A dataset query answered in time slices (the `<dataset>` subscription): the versions of
 * the answer as slices complete, newest slice first, ending with the exact answer.
 *
 * - The query's range on the dataset's `progressive.by` dimension is cut along a grid of
 *   calendar cells (sliceGrid); each slice is a plan of its own, answered by the cache
 *   (HIT, DERIVED, or fetched and stored as a core), so a repeat is answered from the
 *   slices and a query over part of the range finds the cells it shares.
 * - The newest slice runs first, alone (the first version comes as soon as it can); then
 *   the others, newest first, as many at a time as the request's source slots allow
 *   (server.limits.maxSourceQueriesPerRequest).
 * - After each slice, a version merges the slices done (mergeSlices). The last is exact:
 *   the merged slices, or, when a distinct count cannot be merged, the plain query.
 * - When the plain query is already cached, or every slice is, one final version comes.
 * - The consumer leaving (return()) aborts the slices still running.
 */
export function answerProgressively(gateway: Gateway, asked: DatasetRequest, options: AnswerOptions = {}): AsyncIterableIterator<ProgressiveVersion> {
  // Planned before anything starts, so bad input fails the call itself.
  const dataset = gateway.config.datasets[asked.dataset]!;
  // inRange resolved once, at the gateway's clock: every version (and slice) answers the same absolute range.
  const { request, ranges } = withResolvedRanges(asked, dataset, gateway.now());
  const plans = gateway.plan(request, dataset, rowPolicy(options.access, dataset, gateway.config));
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const queue = new VersionQueue<ProgressiveVersion>(() => controller.abort(new Error('the subscriber left')));
  const run = { ...options, signal: controller.signal, sourceSlots: options.sourceSlots ?? createSourceSlots(gateway.config.server.limits.maxSourceQueriesPerRequest) };
  produce(gateway, request, dataset, plans, run, (version) => queue.push({ ...version, meta: { ...version.meta, ranges } }, version.final)).then(
    () => options.signal?.removeEventListener('abort', onOuterAbort),
    (error: unknown) => {
      options.signal?.removeEventListener('abort', onOuterAbort);
      controller.abort(error);
      queue.fail(error);
    },
  );
  return queue;
}

type Emit = (version: ProgressiveVersion) => void;

async function produce(
  gateway: Gateway,
  request: DatasetRequest,
  dataset: DatasetConfig,
  plans: QueryPlans,
  options: AnswerOptions & { readonly signal: AbortSignal },
  emit: Emit,
): Promise<void> {
  const by = dataset.progressive?.by ?? null;
  const whole = async () => {
    const answer = await gateway.answer(request, options);
    emit({ ...answer, progress: 1, final: true, slices: [{ from: null, to: null, done: true, cache: answer.meta.cache }] });
  };
  if (by === null || (dataset.progressive?.slices ?? 1) <= 1 || (!plans.rows && !plans.totals) || isCached(gateway, plans, dataset, options)) return whole();
  const extent = await timeExtent(gateway, dataset, by, options.signal);
  const maxRows = gateway.config.cache.maxCoreRows;
  const planned = extent && planSlices(dataset, plans, extent, maxRows);
  if (!planned) return whole();
  const { shape, slices: sliced, plans: slicePlans } = planned;
  const mode = options.cacheMode ?? 'DEFAULT';
  const allCached = mode === 'DEFAULT' && slicePlans.every((p) => cachedOutcome(gateway, p, dataset) !== null);

  const calls: SourceCall[] = [];
  const tables: Table[] = [];
  const outcomes: CacheOutcome[] = [];
  const state: ProgressSlice[] = sliced.map((slice) => ({ from: wallText(slice.cell.from, dataset), to: wallText(slice.cell.to, dataset), done: false, cache: null }));
  let ageMs = 0;
  // The slices' own signal: aborted with the request, or when slicing is given up.
  const slicing = new AbortController();
  const stopSlicing = () => slicing.abort(options.signal.reason);
  options.signal.addEventListener('abort', stopSlicing, { once: true });
  const sliceOptions = { ...options, signal: slicing.signal };
  let tooLarge = false;
  const answerSlice = (i: number) =>
    runPlan(gateway, slicePlans[i]!, dataset, sliceOptions, calls).then((answer) => {
      if (answer.table.numRows >= maxRows) {
        // Possibly cut at the bound: a slice's groups must all be there to be merged.
        tooLarge = true;
        slicing.abort(new Error('a slice has more groups than cache.maxCoreRows'));
        return;
      }
      tables.push(answer.table);
      outcomes.push(answer.outcome);
      state[i] = { ...state[i]!, done: true, cache: answer.outcome };
      ageMs = Math.max(ageMs, answer.ageMs);
      if (!allCached && tables.length < slicePlans.length) emit(version(plans, shape, tables, dataset, outcomes, calls, ageMs, tables.length / slicePlans.length, state));
    });
  try {
    // The newest slice runs alone, so the first version is not slowed by the others sharing
    // the source's cores with it; then the rest, as many at a time as the request's slots allow.
    await answerSlice(0);
    if (!tooLarge) await Promise.all(slicePlans.slice(1).map((_, i) => answerSlice(i + 1)));
  } catch (error) {
    if (!tooLarge) throw error;
  } finally {
    options.signal.removeEventListener('abort', stopSlicing);
  }
  // Too many groups to slice (a huge core): the plain query, with its own bounded reads.
  if (tooLarge) return whole();
  const merged = version(plans, shape, tables, dataset, outcomes, calls, ageMs, 1, state);
  if (merged.exact) return emit({ rows: merged.rows, totals: merged.totals, calcs: merged.calcs, meta: merged.meta, progress: 1, final: true, slices: merged.slices });
  // A distinct count is exact only over the whole range: the plain query (its own core).
  const exact = await gateway.answer(request, options);
  const cache = summarizeOutcomes([merged.meta.cache, exact.meta.cache]);
  emit({ ...exact, meta: { ...exact.meta, cache, sources: [...calls, ...exact.meta.sources], ageMs: Math.max(ageMs, exact.meta.ageMs) }, progress: 1, final: true, slices: merged.slices });
}

/** A grid boundary as the API prints times: ISO-8601 with the zone's offset; null when open. */
function wallText(wall: number | null, dataset: DatasetConfig): string | null {
  return wall === null ? null : formatWall(wall, dataset.timezone);
}

/** The version over the slices done; `exact` says whether it can be the final one. */
function version(
  plans: QueryPlans,
  shape: SliceShape,
  tables: readonly Table[],
  dataset: DatasetConfig,
  outcomes: readonly CacheOutcome[],
  calls: readonly SourceCall[],
  ageMs: number,
  progress: number,
  slices: readonly ProgressSlice[],
): ProgressiveVersion & { readonly exact: boolean } {
  const merged = mergeSlices(plans, shape, tables, dataset);
  // Slices merged from the cache are an answer computed from cached results: DERIVED, not HIT.
  const summary = summarizeOutcomes(outcomes);
  const meta: DatasetAnswer['meta'] = { cache: summary === 'HIT' ? 'DERIVED' : summary, sources: [...calls], ageMs, truncated: merged.truncated, ranges: [] };
  return { rows: merged.rows, totals: merged.totals, calcs: plans.calcs, meta, progress, final: false, slices: [...slices], exact: merged.exact };
}

/** Whether the plain query would be answered from the cache now (its rows and totals both). */
function isCached(gateway: Gateway, plans: QueryPlans, dataset: DatasetConfig, options: AnswerOptions): boolean {
  if ((options.cacheMode ?? 'DEFAULT') !== 'DEFAULT') return false;
  const rows = plans.rows && limitProbe(plans.rows).plan;
  return [rows, plans.totals].every((plan) => plan === null || cachedOutcome(gateway, plan, dataset) !== null);
}

function cachedOutcome(gateway: Gateway, plan: AggregatePlan, dataset: DatasetConfig): CacheOutcome | null {
  const outcome = gateway.cache.decide(plan, dataset).outcome;
  return outcome === 'HIT' || outcome === 'DERIVED' ? outcome : null;
}
