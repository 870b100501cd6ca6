import { execute, parse, validate, type GraphQLError } from 'graphql';
import { planOfCore, type CacheDecision } from '../cache/index.ts';
import { buildPlan, coreOf, compileSql, planKey, printPlan, type AggregatePlan } from '../planner/index.ts';
import type { RequestContext } from '../resolvers/index.ts';
import { rowPolicy, type Access } from '../security/index.ts';
import type { Gateway } from './gateway.ts';

export interface ExplainedPlan {
  readonly field: string;
  readonly role: 'rows' | 'totals';
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
 * Plans a GraphQL document without running anything at a source: every dataset field is
 * planned and compiled, and the plans are returned with their keys, SQL and parameters.
 * With `access`, the document is validated against that role's schema and its row
 * policies appear in the plans as security predicates.
 */
export async function explainQuery(
  gateway: Gateway,
  document: string,
  variables: Record<string, unknown> = {},
  access?: Access,
): Promise<{ plans: ExplainedPlan[]; errors: readonly GraphQLError[] }> {
  const plans: ExplainedPlan[] = [];
  const recorder: Gateway = {
    ...gateway,
    answer: async (request, options) => {
      const dataset = gateway.config.datasets[request.dataset]!;
      const built = buildPlan(dataset, request, gateway.config.server, rowPolicy(options?.access, dataset, gateway.config));
      const source = gateway.sources.get(dataset.source)!;
      const estimate = (p: AggregatePlan) => source.estimateRows(compileSql(p, dataset, source.dialect));
      for (const [role, plan] of [['rows', built.rows], ['totals', built.totals]] as const) {
        if (!plan) continue;
        const decision = await gateway.cache.decide(plan, dataset, { estimate });
        // The SQL a miss would run: the core, or the whole plan when pushed down.
        const fetched = decision.pushdown?.pushdown ? plan : planOfCore(coreOf(plan, false));
        const { sql, params } = compileSql(decision.outcome === 'BYPASS' ? plan : fetched, dataset, source.dialect);
        const coreKey = planKey(coreOf(plan, decision.pushdown?.pushdown ?? false));
        plans.push({ field: request.dataset, role, plan, key: planKey(plan), coreKey, sql, params, cache: printDecision(decision) });
      }
      return { rows: null, totals: null, calcs: built.calcs, meta: { cache: 'BYPASS', sources: [], ageMs: 0, truncated: false } };
    },
  };
  let parsed;
  try {
    parsed = parse(document);
  } catch (error) {
    return { plans, errors: [error as GraphQLError] };
  }
  const schema = gateway.schemaFor(access?.role ?? null);
  const invalid = validate(schema, parsed);
  if (invalid.length > 0) return { plans, errors: invalid };
  const contextValue: RequestContext = { gateway: recorder, requestId: 'explain', access };
  const result = await execute({ schema, document: parsed, variableValues: variables, contextValue });
  return { plans, errors: result.errors ?? [] };
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
    `# ${p.field} ${p.role}`,
    printPlan(p.plan),
    `key: ${p.key}`,
    `core key: ${p.coreKey}`,
    `cache: ${p.cache}`,
    'sql:',
    p.sql.replace(/^/gm, '  '),
    `params: ${JSON.stringify(p.params)}`,
  ].join('\n');
}
