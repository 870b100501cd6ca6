import type pg from 'pg';

interface PlanNode {
  readonly 'Node Type': string;
  readonly Strategy?: string;
  readonly 'Partial Mode'?: string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Workers Planned'?: number;
  readonly 'Total Cost'?: number;
  readonly Plans?: readonly PlanNode[];
}

/**
 * Postgres's plan for `sql` with `params`, on one line, outermost node first:
 * `Limit > Sort > Finalize HashAggregate > Gather (2 workers) > ... > Parallel Seq Scan on sales`.
 * Says whether JIT would compile it: JIT adds a fixed cost per execution to both sides.
 */
export async function describePgPlan(client: pg.Client, sql: string, params: readonly unknown[]): Promise<string> {
  const result = await client.query({ text: `explain (format json) ${sql}`, values: params as unknown[] });
  const root = (result.rows[0]['QUERY PLAN'] as { Plan: PlanNode; JIT?: unknown }[])[0]!;
  const jit = root.JIT ? '; JIT planned' : '';
  return `${describeNode(root.Plan)} (cost ${root.Plan['Total Cost']?.toFixed(0) ?? '?'}${jit})`;
}

function describeNode(node: PlanNode): string {
  let name = node['Node Type'];
  if (name === 'Aggregate') name = `${node['Partial Mode'] && node['Partial Mode'] !== 'Simple' ? `${node['Partial Mode']} ` : ''}${aggregateKind(node.Strategy)}`;
  if (node['Workers Planned'] !== undefined) name += ` (${node['Workers Planned']} workers)`;
  if (node['Index Name']) name += ` using ${node['Index Name']}`;
  else if (node['Relation Name']) name += ` on ${node['Relation Name']}`;
  const children = node.Plans ?? [];
  if (children.length === 0) return name;
  const inner = children.map(describeNode);
  return `${name} > ${inner.length === 1 ? inner[0] : `[${inner.join(' | ')}]`}`;
}

function aggregateKind(strategy: string | undefined): string {
  switch (strategy) {
    case 'Hashed':
      return 'HashAggregate';
    case 'Sorted':
      return 'GroupAggregate';
    case 'Mixed':
      return 'MixedAggregate';
    default:
      return 'Aggregate';
  }
}
