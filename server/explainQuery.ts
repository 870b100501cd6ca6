import { execute, parse, validate, type GraphQLError } from 'graphql';
import { buildPlan, compileSql, planKey, printPlan, type AggregatePlan } from '../planner/index.ts';
import type { Gateway } from './gateway.ts';

export interface ExplainedPlan {
  readonly field: string;
  readonly role: 'rows' | 'totals';
  readonly plan: AggregatePlan;
  readonly key: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly cache: string;
}

/**
 * Plans a GraphQL document without running anything at a source: every dataset field is
 * planned and compiled, and the plans are returned with their keys, SQL and parameters.
 */
export async function explainQuery(
  gateway: Gateway,
  document: string,
  variables: Record<string, unknown> = {},
): Promise<{ plans: ExplainedPlan[]; errors: readonly GraphQLError[] }> {
  const plans: ExplainedPlan[] = [];
  const recorder: Gateway = {
    ...gateway,
    answer: async (request) => {
      const dataset = gateway.config.datasets[request.dataset]!;
      const built = buildPlan(dataset, request, gateway.config.server);
      const dialect = gateway.sources.get(dataset.source)!.dialect;
      for (const [role, plan] of [['rows', built.rows], ['totals', built.totals]] as const) {
        if (!plan) continue;
        const { sql, params } = compileSql(plan, dataset, dialect);
        plans.push({ field: request.dataset, role, plan, key: planKey(plan), sql, params, cache: 'none: no result cache in this build; every plan goes to its source' });
      }
      return { rows: null, totals: null, calcs: built.calcs, meta: { cache: 'BYPASS', sources: [], ageMs: 0 } };
    },
  };
  let parsed;
  try {
    parsed = parse(document);
  } catch (error) {
    return { plans, errors: [error as GraphQLError] };
  }
  const invalid = validate(gateway.schema, parsed);
  if (invalid.length > 0) return { plans, errors: invalid };
  const result = await execute({ schema: gateway.schema, document: parsed, variableValues: variables, contextValue: { gateway: recorder } });
  return { plans, errors: result.errors ?? [] };
}

/** The text `tributary explain` prints for one plan. */
export function printExplained(p: ExplainedPlan): string {
  return [
    `# ${p.field} ${p.role}`,
    printPlan(p.plan),
    `key: ${p.key}`,
    `cache: ${p.cache}`,
    'sql:',
    p.sql.replace(/^/gm, '  '),
    `params: ${JSON.stringify(p.params)}`,
  ].join('\n');
}
