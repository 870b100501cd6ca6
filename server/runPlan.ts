import { performance } from 'node:perf_hooks';
import type { Table } from 'apache-arrow';
import type { CachedAnswer, CacheOutcome } from '../cache/index.ts';
import { TributaryError } from '../errors/index.ts';
import { compileSql, type AggregatePlan } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
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
  const source = gateway.sources.get(dataset.source)!;
  const io = {
    fetch: (p: AggregatePlan, signal: AbortSignal) => fetchAtSource(gateway, source, dataset, p, { signal, slots: options.sourceSlots }, calls),
    estimate: (p: AggregatePlan) => source.estimateRows(compileSql(p, dataset, source.dialect)),
  };
  const cached = await gateway.cache.answer(plan, dataset, options.cacheMode ?? 'DEFAULT', io, options.signal);
  gateway.metrics.cacheRequests.inc({ outcome: cached.outcome });
  return cached;
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
  run: { readonly signal: AbortSignal; readonly slots?: SourceSlots },
  calls: SourceCall[],
): Promise<Table> {
  const query = compileSql(plan, dataset, source.dialect);
  const execute = async () => {
    const started = performance.now();
    gateway.metrics.sourceQueries.inc({ source: source.name, dataset: dataset.name });
    const table = await source.execute(query, { signal: run.signal });
    return { table, ms: performance.now() - started };
  };
  try {
    const { table, ms } = await (run.slots ? run.slots.run(execute) : execute());
    gateway.metrics.sourceSeconds.observe({ source: source.name }, ms / 1000);
    calls.push({ source: source.name, sql: query.sql, ms, rows: table.numRows });
    return table;
  } catch (error) {
    gateway.metrics.sourceErrors.inc({ source: source.name, code: error instanceof TributaryError ? error.code : 'INTERNAL' });
    throw error;
  }
}
