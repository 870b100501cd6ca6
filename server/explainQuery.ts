import { execute, parse, validate, type GraphQLError } from 'graphql';
import { planOfCore, type CacheDecision, type PlanCache } from '../cache/index.ts';
import { buildPlan, coreOf, compileSql, planKey, printPlan, withResolvedRanges, type AggregatePlan } from '../planner/index.ts';
import { planFusion, type RequestContext } from '../resolvers/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import { rowPolicy, type Access } from '../security/index.ts';
import { compileFor, rowsToArrow } from '../sources/index.ts';
import type { Gateway } from './gateway.ts';
import { gatewaySchemas } from './gatewaySchemas.ts';
import { limitProbe } from './limitProbe.ts';
import type { Metrics } from './metrics.ts';
import { nestingRefusal } from './plugins/useNestingLimit.ts';

export interface ExplainedPlan {
  /** The dataset or fusion field of the query. */
  readonly field: string;
  /** A fusion's members are planned (and cached) each on its own; `member` names the member dataset. */
  readonly role: 'rows' | 'totals' | 'member';
  readonly member?: string;
  readonly plan: AggregatePlan;
  /** Key of the whole plan. */
  readonly key: string;
  /** Key of the cached core that answers it (the cache key). */
  readonly coreKey: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly cache: string;
}

/**
 * Plans a GraphQL document without running anything at a source: every dataset field, and
 * every member of every fusion field, is planned and compiled, and the plans are returned
 * with their keys, SQL and parameters. With `access`, the document is validated against
 * that role's schema and its row policies appear in the plans as security predicates.
 *
 * The resolvers run as for a real request, against a recorder: dataset answers are
 * recorded and come back empty, fusion members are recorded when the fusion is planned,
 * and the recorder's cache answers every plan with no rows, so nothing reaches a source.
 */
export async function explainQuery(
  gateway: Gateway,
  document: string,
  variables: Record<string, unknown> = {},
  access?: Access,
): Promise<{ plans: ExplainedPlan[]; errors: readonly GraphQLError[] }> {
  const pending: Promise<ExplainedPlan>[] = [];
  const explain = async (
    field: string,
    role: ExplainedPlan['role'],
    plan: AggregatePlan,
    dataset: DatasetConfig,
    member?: string,
    shared?: ReturnType<PlanCache['sharedStatement']>,
  ): Promise<ExplainedPlan> => {
    const source = gateway.sources.get(dataset.source)!;
    const decision = gateway.cache.decide(plan, dataset);
    // The SQL a miss would run: the core, or the whole plan when pushed down; the one
    // statement of rows and totals when both miss (PlanCache.sharedStatement).
    const fetched = decision.pushdown?.pushdown ? plan : planOfCore(coreOf(plan, false));
    const { sql, params } = shared
      ? compileFor(source, planOfCore(shared.core), dataset, shared.totals ? { totals: shared.totals } : {})
      : compileFor(source, fetched, dataset);
    const coreKey = planKey(coreOf(plan, decision.pushdown?.pushdown ?? false));
    const together = shared?.totals
      ? 'rows and totals in one statement: grouping sets ((dimensions), ()) (a distinct count does not roll up)'
      : 'rows and totals in one statement: the rows core with the totals\' leaves; the totals rolled up from its groups';
    const cache = printDecision(decision) + (shared ? `\n  ${together}` : '');
    return { field, role, ...(member === undefined ? {} : { member }), plan, key: planKey(plan), coreKey, sql, params, cache };
  };
  const recorder: Gateway = {
    ...gateway,
    answer: async (asked, options) => {
      const dataset = gateway.config.datasets[asked.dataset]!;
      // Relative ranges print as the absolute bounds a real request would have now.
      const { request, ranges } = withResolvedRanges(asked, dataset, gateway.now());
      const built = buildPlan(dataset, request, gateway.config.server, rowPolicy(options?.access, dataset, gateway.config));
      // The rows plan runs with one row more than its limit (meta.truncated): explain that one.
      const rows = built.rows && limitProbe(built.rows).plan;
      const shared = (rows && built.totals && gateway.cache.sharedStatement(rows, built.totals, dataset)) || undefined;
      if (rows) pending.push(explain(request.dataset, 'rows', rows, dataset, undefined, shared));
      if (built.totals) pending.push(explain(request.dataset, 'totals', built.totals, dataset, undefined, shared));
      return { rows: null, totals: null, calcs: built.calcs, meta: { cache: 'BYPASS', sources: [], ageMs: 0, truncated: false, ranges } };
    },
    // Fusions plan over their view (a role's schema passes its own copy, hence by name): that is where the members are known.
    plan: (request, over, security) => {
      const plans = gateway.plan(request, over, security);
      const fusion = over && gateway.config.fusions[over.name];
      if (fusion) {
        for (const m of planFusion(gateway.config, fusion, plans, access).members) pending.push(explain(fusion.name, 'member', m.plan, m.dataset, m.name));
      }
      return plans;
    },
    cache: planningCache(gateway.cache),
    // What explain does is not traffic: the cache-request counter stays as it is.
    metrics: { ...gateway.metrics, cacheRequests: { inc: () => {} } as unknown as Metrics['cacheRequests'] },
  };
  // The server's limits on the document's shape hold here too (explain is served over HTTP: cli --url).
  const { maxNesting, maxTokens } = gateway.config.server.limits;
  const tooDeep = nestingRefusal(document, variables, maxNesting);
  if (tooDeep) return { plans: [], errors: [tooDeep] };
  let parsed;
  try {
    parsed = parse(document, { maxTokens });
  } catch (error) {
    return { plans: [], errors: [error as GraphQLError] };
  }
  const schema = gatewaySchemas(gateway).forRole(access?.role ?? null);
  const invalid = validate(schema, parsed);
  if (invalid.length > 0) return { plans: [], errors: invalid };
  const contextValue: RequestContext = { gateway: recorder, requestId: 'explain', access };
  const result = await execute({ schema, document: parsed, variableValues: variables, contextValue });
  return { plans: await Promise.all(pending), errors: result.errors ?? [] };
}

/**
 * A cache that answers every plan with no rows and touches neither its entries nor a
 * source: the fusion path (planning, joining, deriving) runs to its end over empty member
 * results, which are the plan's own columns, as a source with no matching rows returns them.
 */
function planningCache(cache: PlanCache): PlanCache {
  const answer: PlanCache['answer'] = async (plan, dataset) => ({
    table: rowsToArrow(compileSql(plan, dataset).columns, []),
    outcome: 'BYPASS',
    entryKey: null,
    ageMs: 0,
  });
  return Object.create(cache, { answer: { value: answer } }) as PlanCache;
}

function printDecision(d: CacheDecision): string {
  const lines = [
    d.outcome === 'HIT' ? `HIT: answered by its own cached core ${d.entryKey!.slice(0, 12)}`
    : d.outcome === 'DERIVED' ? `DERIVED: computed from cached core ${d.entryKey!.slice(0, 12)}`
    : d.outcome === 'BYPASS' ? 'BYPASS: the cache is disabled'
    : `MISS: goes to the source; ${d.pushdown?.reason ?? 'fetching the core'}`,
  ];
  for (const r of d.rejected) lines.push(`  rejected ${r.key.slice(0, 12)}: ${r.reason}`);
  return lines.join('\n');
}

/** The text `tributary explain` prints for one plan. */
export function printExplained(p: ExplainedPlan): string {
  return [
    p.member === undefined ? `# ${p.field} ${p.role}` : `# ${p.field} member ${p.member}`,
    printPlan(p.plan),
    `key: ${p.key}`,
    `core key: ${p.coreKey}`,
    `cache: ${p.cache}`,
    'sql:',
    p.sql.replace(/^/gm, '  '),
    `params: ${JSON.stringify(p.params)}`,
  ].join('\n');
}
