import { performance } from 'node:perf_hooks';
import type { Table } from 'apache-arrow';
import type { GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { ConfigErrors, TributaryError } from '../errors/index.ts';
import { buildPlan, compileSql, type AggregatePlan, type DatasetRequest, type Expression } from '../planner/index.ts';
import { buildResolvers } from '../resolvers/index.ts';
import { buildTypeDefs, type Config } from '../schema/index.ts';
import { checkDatasetColumns, createSource, type Source } from '../sources/index.ts';
import { createMetrics, type Metrics } from './metrics.ts';

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
  readonly meta: { readonly cache: 'HIT' | 'DERIVED' | 'MISS' | 'BYPASS'; readonly sources: readonly SourceCall[]; readonly ageMs: number };
}

export interface AnswerOptions {
  readonly signal?: AbortSignal;
  readonly cacheMode?: string;
}

export interface Gateway {
  readonly config: Config;
  readonly schema: GraphQLSchema;
  readonly sources: ReadonlyMap<string, Source>;
  readonly metrics: Metrics;
  answer(request: DatasetRequest, options?: AnswerOptions): Promise<DatasetAnswer>;
  close(): Promise<void>;
}

/**
 * Opens the sources of a config, checks every dataset against its source (unless
 * `check: false`), and builds the schema. Throws ConfigErrors naming each bad path.
 */
export async function createGateway(config: Config, options: { check?: boolean } = {}): Promise<Gateway> {
  const sources = new Map(Object.values(config.sources).map((s) => [s.name, createSource(s)]));
  const metrics = createMetrics();
  if (options.check !== false) {
    const problems = await Promise.all(Object.values(config.datasets).map((d) => checkDatasetColumns(d, sources.get(d.source)!)));
    if (problems.flat().length > 0) {
      await Promise.all([...sources.values()].map((s) => s.close()));
      throw new ConfigErrors(problems.flat());
    }
  }
  const schema = makeExecutableSchema({ typeDefs: buildTypeDefs(config), resolvers: buildResolvers(config) });
  const gateway: Gateway = {
    config,
    schema,
    sources,
    metrics,
    answer: (request, answerOptions = {}) => answer(gateway, request, answerOptions),
    close: async () => void (await Promise.all([...sources.values()].map((s) => s.close()))),
  };
  return gateway;
}

/**
 * The whole read path: request → plan → SQL → source → Arrow. Rows and totals are
 * separate plans and run in parallel.
 */
async function answer(gateway: Gateway, request: DatasetRequest, options: AnswerOptions): Promise<DatasetAnswer> {
  const dataset = gateway.config.datasets[request.dataset]!;
  const plans = buildPlan(dataset, request, gateway.config.server);
  const source = gateway.sources.get(dataset.source)!;
  const calls: SourceCall[] = [];

  const run = async (plan: AggregatePlan): Promise<PlanResult> => {
    const query = compileSql(plan, dataset, source.dialect);
    const started = performance.now();
    gateway.metrics.sourceQueries.inc({ source: source.name, dataset: dataset.name });
    try {
      const table = await source.execute(query, { signal: options.signal });
      const ms = performance.now() - started;
      gateway.metrics.sourceSeconds.observe({ source: source.name }, ms / 1000);
      calls.push({ source: source.name, sql: query.sql, ms, rows: table.numRows });
      return { plan, table };
    } catch (error) {
      gateway.metrics.sourceErrors.inc({ source: source.name, code: error instanceof TributaryError ? error.code : 'INTERNAL' });
      throw error;
    }
  };

  const [rows, totals] = await Promise.all([plans.rows && run(plans.rows), plans.totals && run(plans.totals)]);
  return { rows, totals, calcs: plans.calcs, meta: { cache: 'BYPASS', sources: calls, ageMs: 0 } };
}
