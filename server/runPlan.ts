import { performance } from 'node:perf_hooks';
import type { Table } from 'apache-arrow';
import type { CachedAnswer, CacheOutcome, FetchOptions, SourceAccess } from '../cache/index.ts';
import { TributaryError } from '../errors/index.ts';
import type { AggregatePlan } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import { compileFor, type Source, type SourceProgress } from '../sources/index.ts';
import type { AnswerOptions, Gateway, SourceCall } from './GatewayContract.ts';
import type { SourceSlots } from './SourceSlots.ts';

/**
 * Answers one plan over one dataset: from the cache when it can, else from the dataset's
 * source (recording the call in `calls` and in the metrics).
 */
export async function runPlan(
  gateway: Gateway,
  plan: AggregatePlan,
  dataset: DatasetConfig,
  options: AnswerOptions,
  calls: SourceCall[],
): Promise<CachedAnswer> {
  const cached = await gateway.cache.answer(plan, dataset, options.cacheMode ?? 'DEFAULT', sourceAccess(gateway, dataset, options, calls), options.signal);
  gateway.metrics.cacheRequests.inc({ outcome: cached.outcome });
  return cached;
}

/** A rows plan and its totals plan: on a miss of both, one source statement (PlanCache.answerWithTotals). */
export async function runPlanWithTotals(
  gateway: Gateway,
  rows: AggregatePlan,
  totals: AggregatePlan,
  dataset: DatasetConfig,
  options: AnswerOptions,
  calls: SourceCall[],
): Promise<readonly [CachedAnswer, CachedAnswer]> {
  const io = sourceAccess(gateway, dataset, options, calls);
  const answered = await gateway.cache.answerWithTotals(rows, totals, dataset, options.cacheMode ?? 'DEFAULT', io, options.signal);
  for (const a of answered) gateway.metrics.cacheRequests.inc({ outcome: a.outcome });
  return answered;
}

function sourceAccess(gateway: Gateway, dataset: DatasetConfig, options: AnswerOptions, calls: SourceCall[]): SourceAccess {
  const source = gateway.sources.get(dataset.source)!;
  return {
    fetch: (p, signal, fetchOptions = {}) => fetchAtSource(gateway, source, dataset, p, { signal, slots: options.sourceSlots, ...fetchOptions }, calls),
    ...(source.estimatesForPushdown ? { estimate: (p: AggregatePlan, signal: AbortSignal) => source.estimateRows(compileFor(source, p, dataset), { signal }) } : {}),
  };
}

/** One outcome for the whole answer: the one that touched the source most. */
export function summarizeOutcomes(outcomes: readonly CacheOutcome[]): CacheOutcome {
  for (const o of ['BYPASS', 'MISS', 'DERIVED', 'HIT'] as const) if (outcomes.includes(o)) return o;
  return 'HIT';
}

async function fetchAtSource(
  gateway: Gateway,
  source: Source,
  dataset: DatasetConfig,
  plan: AggregatePlan,
  run: FetchOptions & { readonly signal: AbortSignal; readonly slots?: SourceSlots },
  calls: SourceCall[],
): Promise<Table> {
  const query = compileFor(source, plan, dataset, run.totals ? { totals: run.totals } : {});
  let progress: SourceProgress | undefined;
  const execute = async () => {
    const started = performance.now();
    gateway.metrics.sourceQueries.inc({ source: source.name, dataset: dataset.name });
    const table = await source.execute(query, { signal: run.signal, onProgress: (p) => (progress = p), ...(run.maxRows === undefined ? {} : { maxRows: run.maxRows }) });
    return { table, ms: performance.now() - started };
  };
  try {
    const { table, ms } = await (run.slots ? run.slots.run(execute) : execute());
    gateway.metrics.sourceSeconds.observe({ source: source.name }, ms / 1000);
    calls.push({ source: source.name, sql: query.sql, ms, rows: table.numRows, ...(progress ? { progress } : {}) });
    return table;
  } catch (error) {
    gateway.metrics.sourceErrors.inc({ source: source.name, code: error instanceof TributaryError ? error.code : 'INTERNAL' });
    throw error;
  }
}
