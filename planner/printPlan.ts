import { assertNever, type AggregatePlan, type Filter } from './LogicalPlan.ts';

/** The one human-readable form of a plan, used by `tributary explain` and test snapshots. */
export function printPlan(plan: AggregatePlan): string {
  const lines = [`aggregate ${plan.dataset}`];
  lines.push(`  dimensions: ${plan.dimensions.map((d) => d.key).join(', ') || '(none)'}`);
  lines.push(`  measures: ${plan.measures.map((m) => m.key).join(', ') || '(none)'}`);
  if (plan.filter) lines.push(`  filter: ${printFilter(plan.filter)}`);
  for (const s of plan.security) lines.push(`  security: ${printFilter(s)}`);
  if (plan.having) lines.push(`  having: ${printFilter(plan.having)}`);
  if (plan.order.length > 0) lines.push(`  order: ${plan.order.map((o) => `${o.field} ${o.direction}`).join(', ')}`);
  if (plan.limit !== null || plan.offset > 0) lines.push(`  limit: ${plan.limit ?? 'none'} offset ${plan.offset}`);
  return lines.join('\n');
}

const OPS = { eq: '=', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function printFilter(f: Filter): string {
  switch (f.kind) {
    case 'const':
      return String(f.value);
    case 'and':
    case 'or':
      return `(${f.args.map(printFilter).join(` ${f.kind} `)})`;
    case 'not':
      return `not ${printFilter(f.arg)}`;
    case 'compare':
      return `${f.field} ${OPS[f.op]} ${JSON.stringify(f.value)}`;
    case 'in':
      return `${f.field} ${f.negated ? 'not in' : 'in'} ${JSON.stringify(f.values)}`;
    case 'match':
      return `${f.field} ${f.op} ${JSON.stringify(f.value)}`;
    case 'isNull':
      return `${f.field} is ${f.isNull ? '' : 'not '}null`;
    default:
      return assertNever(f);
  }
}
