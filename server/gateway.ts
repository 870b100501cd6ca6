import type { Table } from 'apache-arrow';
import type { GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { PlanCache, RefreshKeyWatcher, type CacheMode, type CacheOutcome } from '../cache/index.ts';
import { ConfigErrors } from '../errors/index.ts';
import { createPlanMemo, type AggregatePlan, type DatasetRequest, type Expression, type Filter, type QueryPlans } from '../planner/index.ts';
import { buildResolvers } from '../resolvers/index.ts';
import { buildTypeDefs, type Config, type DatasetConfig, type RoleConfig } from '../schema/index.ts';
import { checkDatasetColumns, createSource, type Source } from '../sources/index.ts';
import { StreamHub } from '../subscriptions/index.ts';
import { checkRowPolicies, createAuthenticator, roleView, rowPolicy, type Access, type Authenticator } from '../security/index.ts';
import { limitProbe } from './limitProbe.ts';
import { logger } from './logger.ts';
import type { SourceSlots } from './SourceSlots.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { runPlan, summarizeOutcomes } from './runPlan.ts';

export interface SourceCall {
  readonly source: string;
  readonly sql: string;
  readonly ms: number;
  readonly rows: number;
}

export interface PlanResult {
  readonly plan: AggregatePlan;
  readonly table: Table;
}

/** What the gateway hands the resolvers for one dataset query. */
export interface DatasetAnswer {
  readonly rows: PlanResult | null;
  readonly totals: PlanResult | null;
  readonly calcs: ReadonlyMap<string, Expression>;
  readonly meta: {
    readonly cache: CacheOutcome;
    readonly sources: readonly SourceCall[];
    readonly ageMs: number;
    /** More rows existed than `rows` holds: the limit (or server.defaultLimit) cut them. */
    readonly truncated: boolean;
  };
}

export interface AnswerOptions {
  readonly signal?: AbortSignal;
  readonly cacheMode?: CacheMode;
  /** The verified caller: their role's row policies become the plans' security predicates. */
  readonly access?: Access;
  /** Bounds the request's source queries in flight. */
  readonly sourceSlots?: SourceSlots;
}

export interface Gateway {
  readonly config: Config;
  /** The whole schema: every dataset, fusion and stream (an open gateway serves this one). */
  readonly schema: GraphQLSchema;
  /** Verifies callers; null when the config has no `auth` (the gateway is open). */
  readonly authenticate: Authenticator | null;
  /** The schema a role sees (built once per role at start); without a role, the whole one. */
  schemaFor(role: RoleConfig | null): GraphQLSchema;
  readonly sources: ReadonlyMap<string, Source>;
  readonly metrics: Metrics;
  readonly cache: PlanCache;
  /** Kafka feeds, shared window operators and landing writers of the streams. */
  readonly streams: StreamHub;
  /**
   * buildPlan with a memo of recent requests; `over` defaults to the request's dataset (a
   * fusion passes its view); `security` are the caller's row-policy predicates.
   */
  plan(request: DatasetRequest, over?: DatasetConfig, security?: readonly Filter[]): QueryPlans;
  answer(request: DatasetRequest, options?: AnswerOptions): Promise<DatasetAnswer>;
  close(): Promise<void>;
}

/**
 * Opens the sources of a config, checks every dataset against its source (unless
 * `check: false`), and builds the schema. Throws ConfigErrors naming each bad path.
 */
export async function createGateway(config: Config, options: { check?: boolean } = {}): Promise<Gateway> {
  const policyProblems = checkRowPolicies(config);
  if (policyProblems.length > 0) throw new ConfigErrors(policyProblems);
  const authenticate = await createAuthenticator(config);
  const sources = new Map(Object.values(config.sources).map((s) => [s.name, createSource(s)]));
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
    subscribers: (stream, n) => metrics.subscribers.set({ stream }, n),
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
  const executable = (view: Config) => makeExecutableSchema({ typeDefs: buildTypeDefs(view), resolvers: buildResolvers(view) });
  const schema = executable(config);
  const roleSchemas = new Map(Object.values(config.roles).map((role) => [role.name, role.all ? schema : executable(roleView(config, role))]));
  const cache = new PlanCache(config.cache);
  // Plans are memoized within an eighth of the cache's byte bound (32 MB by default): both bounds come from cache.maxBytes.
  const planMemo = createPlanMemo({ maxBytes: Math.max(1024 ** 2, Math.floor(config.cache.maxBytes / 8)) });
  metrics.observeCache(cache.store);
  const watchers = Object.values(config.datasets)
    .filter((d) => d.cache.refreshKey && config.cache.enabled)
    .map(
      (d) =>
        new RefreshKeyWatcher(
          d,
          sources.get(d.source)!,
          (name) => logger.info({ dataset: name, dropped: cache.invalidate(name) }, 'refreshKey changed: cache entries dropped'),
          (error) => logger.warn({ dataset: d.name, err: error }, 'refreshKey poll failed'),
        ),
    );
  const gateway: Gateway = {
    config,
    schema,
    authenticate,
    schemaFor: (role) => (role ? roleSchemas.get(role.name)! : schema),
    sources,
    metrics,
    cache,
    streams,
    plan: (request, over, security) => planMemo(over ?? config.datasets[request.dataset]!, request, config.server, security),
    answer: (request, answerOptions = {}) => answer(gateway, request, answerOptions),
    close: async () => {
      for (const w of watchers) w.stop();
      await streams.close();
      await Promise.all([...sources.values()].map((s) => s.close()));
    },
  };
  return gateway;
}

/**
 * The whole read path: request → plan (with the caller's row policy) → cache → source →
 * Arrow. Rows and totals are separate plans; each is answered by the cache or, on a miss,
 * by the source.
 */
async function answer(gateway: Gateway, request: DatasetRequest, options: AnswerOptions): Promise<DatasetAnswer> {
  const dataset = gateway.config.datasets[request.dataset]!;
  const plans = gateway.plan(request, dataset, rowPolicy(options.access, dataset, gateway.config));
  const calls: SourceCall[] = [];
  const run = (plan: AggregatePlan) => runPlan(gateway, plan, dataset, options, calls);

  const probe = plans.rows && limitProbe(plans.rows);
  const [rows, totals] = await Promise.all([probe && run(probe.plan), plans.totals && run(plans.totals)]);
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
    },
  };
}

