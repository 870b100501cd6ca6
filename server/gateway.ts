import { L2Cache, PlanCache, RefreshKeyWatcher, type L2Observer } from '../cache/index.ts';
import { ConfigErrors } from '../errors/index.ts';
import { createPlanMemo, withResolvedRanges, type AggregatePlan, type DatasetRequest } from '../planner/index.ts';
import type { Config } from '../schema/index.ts';
import { checkDatasetColumns, createSource } from '../sources/index.ts';
import { StreamHub } from '../subscriptions/index.ts';
import { checkRowPolicies, createAuthenticator, rowPolicy } from '../security/index.ts';
import { limitProbe } from './limitProbe.ts';
import { logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { runPlan, runPlanWithTotals, summarizeOutcomes } from './runPlan.ts';
import { answerFromSlices, answerProgressively } from './progressive/index.ts';

export type { AnswerOptions, DatasetAnswer, Gateway, PlanResult, ProgressiveVersion, SourceCall } from './GatewayContract.ts';
import type { AnswerOptions, DatasetAnswer, Gateway, SourceCall } from './GatewayContract.ts';

/**
 * Opens the sources of a config, checks every dataset against its source (unless
 * `check: false`). (server/gatewaySchemas.ts builds the schemas.) Throws ConfigErrors naming each bad path.
 * `now` is the clock relative ranges (inRange) resolve against (Date.now unless given: tests fix it).
 */
export async function createGateway(config: Config, options: { check?: boolean; now?: () => number } = {}): Promise<Gateway> {
  const policyProblems = checkRowPolicies(config);
  if (policyProblems.length > 0) throw new ConfigErrors(policyProblems);
  const authenticate = await createAuthenticator(config);
  const sources = new Map(Object.values(config.sources).map((s) => [s.name, createSource(s, (line) => logger.info({ source: s.name }, line))]));
  const metrics = createMetrics();
  for (const source of sources.values()) {
    const onSource = Object.values(config.datasets).filter((d) => d.source === source.name);
    await source.prepare?.(onSource, (line) => logger.info({ source: source.name }, line));
  }
  const streams = new StreamHub(config, sources, {
    event: (stream, n) => metrics.streamEvents.inc({ stream }, n),
    late: (stream, n) => metrics.streamLateEvents.inc({ stream }, n),
    dropped: (stream, n) => metrics.streamDroppedWindows.inc({ stream }, n),
    bad: (stream) => metrics.streamBadMessages.inc({ stream }),
    unknownFields: (stream, field, n) => metrics.streamUnknownFields.inc({ stream, field }, n),
    subscribers: (stream, n) => metrics.subscribers.set({ stream }, n),
    fusionAfterClose: (fusion, member, n) => metrics.streamFusionAfterClose.inc({ fusion, member }, n),
    log: (message, error) => logger.warn({ err: error }, message),
  });
  // Landing tables are created before the check, which reads their columns.
  await streams.startLanding();
  if (options.check !== false) {
    const problems = await Promise.all(Object.values(config.datasets).map((d) => checkDatasetColumns(d, sources.get(d.source)!)));
    if (problems.flat().length > 0) {
      await streams.close();
      await Promise.all([...sources.values()].map((s) => s.close()));
      throw new ConfigErrors(problems.flat());
    }
  }
  const l2 = config.cache.l2 && config.cache.enabled ? new L2Cache(config.cache.l2, config.datasets, l2Observer(metrics)) : null;
  const cache = new PlanCache(config.cache, l2);
  // Plans are memoized within an eighth of the cache's byte bound (32 MB by default): both bounds come from cache.maxBytes.
  const planMemo = createPlanMemo({ maxBytes: Math.max(1024 ** 2, Math.floor(config.cache.maxBytes / 8)) });
  metrics.observeCache(cache.store);
  metrics.observeL2(l2);
  const watchers = Object.values(config.datasets)
    .filter((d) => d.cache.refreshKey && config.cache.enabled)
    .map(
      (d) =>
        new RefreshKeyWatcher(
          d,
          sources.get(d.source)!,
          (name, value) => logger.info({ dataset: name, dropped: cache.invalidate(name, value) }, 'refreshKey changed: cache entries dropped'),
          (error) => logger.warn({ dataset: d.name, err: error }, 'refreshKey poll failed'),
        ),
    );
  const gateway: Gateway = {
    config,
    authenticate,
    sources,
    metrics,
    cache,
    streams,
    now: options.now ?? Date.now,
    // Relative ranges become absolute bounds before the memo sees the request: no memoized plan holds a stale "today".
    // (answer, answerProgressively and fusions resolve them first themselves, to report them in meta.ranges.)
    plan: (request, over, security) => {
      const dataset = over ?? config.datasets[request.dataset]!;
      return planMemo(dataset, withResolvedRanges(request, dataset, gateway.now()).request, config.server, security);
    },
    answer: (request, answerOptions = {}) => answer(gateway, request, answerOptions),
    answerProgressively: (request, answerOptions = {}) => answerProgressively(gateway, request, answerOptions),
    close: async () => {
      for (const w of watchers) w.stop();
      await l2?.close();
      await streams.close();
      await Promise.all([...sources.values()].map((s) => s.close()));
    },
  };
  return gateway;
}

/** L2's counters in the metrics; its outages and recoveries in the log, once each. */
function l2Observer(metrics: Metrics): L2Observer {
  return {
    read: (result) => metrics.l2Reads.inc({ result }),
    write: (result) => metrics.l2Writes.inc({ result }),
    wait: (result) => metrics.l2Waits.inc({ result }),
    message: (kind) => metrics.l2Messages.inc({ kind }),
    status: (up, error) =>
      up
        ? logger.info('L2 cache: Redis is reachable; sharing cores with the other replicas')
        : logger.warn({ err: error }, 'L2 cache: Redis is unreachable; serving from this replica\'s L1 and the sources, reconnecting'),
  };
}

/**
 * The whole read path: request → plan (with the caller's row policy) → cache → source →
 * Arrow. Rows and totals are separate plans, each answered by the cache; when both miss,
 * one source statement answers both (PlanCache.answerWithTotals).
 */
async function answer(gateway: Gateway, asked: DatasetRequest, options: AnswerOptions): Promise<DatasetAnswer> {
  const dataset = gateway.config.datasets[asked.dataset]!;
  // inRange → absolute gte/lt at the gateway's clock, before planning (and the plan memo, and the cache keys).
  const { request, ranges } = withResolvedRanges(asked, dataset, gateway.now());
  const plans = gateway.plan(request, dataset, rowPolicy(options.access, dataset, gateway.config));
  // The cells of the query's range, cached by progressive answers, merged without a source query.
  const fromSlices = answerFromSlices(gateway, dataset, plans, options);
  if (fromSlices) return fromSlices.then((a) => ({ ...a, meta: { ...a.meta, ranges } }));
  const calls: SourceCall[] = [];
  const run = (plan: AggregatePlan) => runPlan(gateway, plan, dataset, options, calls);

  const probe = plans.rows && limitProbe(plans.rows);
  const [rows, totals] =
    probe && plans.totals
      ? await runPlanWithTotals(gateway, probe.plan, plans.totals, dataset, options, calls)
      : await Promise.all([probe && run(probe.plan), plans.totals && run(plans.totals)]);
  const answered = [rows, totals].filter((a) => a !== null);
  const trimmed = rows && probe!.trim(rows.table);
  return {
    rows: trimmed && { plan: plans.rows!, table: trimmed.table },
    totals: totals && { plan: plans.totals!, table: totals.table },
    calcs: plans.calcs,
    meta: {
      cache: summarizeOutcomes(answered.map((a) => a.outcome)),
      sources: calls,
      ageMs: Math.max(0, ...answered.map((a) => a.ageMs)),
      truncated: trimmed?.truncated ?? false,
      ranges,
    },
  };
}

