import { FUSION_SCHEMA, fusionName, JOINS, type JoinKind } from './fusionDifferentialFixture.ts';

const MEASURES = ['revenue', 'orders', 'avgAmount', 'units', 'target'] as const;
type Measure = (typeof MEASURES)[number];
type Key = 'region' | 'month';
const GRAINS = ['MONTH', 'QUARTER', 'YEAR'] as const;
const REGIONS = ['North', 'South', 'East', 'West', 'Central', 'Arctic', 'Nowhere'];
const MONTHS = ['2022-12-01', '2023-01-01', '2023-04-01', '2023-06-01', '2023-11-01', '2024-02-01', '2024-07-01', '2025-01-01'];

/**
 * A measure over one joined row, and re-aggregated over all joined rows (the totals
 * contract). A count's total is a count: 0, not null, when no joined row has one (as the
 * totals of a plain dataset over no rows).
 */
const ROW_SQL: Record<Measure, string> = {
  revenue: 'revenue',
  orders: 'orders',
  avgAmount: 'amount_sum / nullif(amount_n, 0)',
  units: 'units',
  target: 'target',
};
const TOTAL_SQL: Record<Measure, string> = {
  revenue: 'sum(revenue)',
  orders: 'coalesce(sum(orders), 0)',
  avgAmount: 'sum(amount_sum) / nullif(sum(amount_n), 0)',
  units: 'sum(units)',
  target: 'sum(target)',
};
/** calc expressions and the same calculation in SQL; `{m}` stands for measure m. */
const CALCS: readonly (readonly [string, string])[] = [
  ['revenue / target', '{revenue} / nullif({target}, 0)'],
  ['revenue - target', '{revenue} - {target}'],
  ['coalesce(revenue, 0) - coalesce(target, 0)', 'coalesce({revenue}, 0) - coalesce({target}, 0)'],
  ['(revenue - target) / orders', '({revenue} - {target}) / nullif({orders}, 0)'],
  ['units / orders * 100', '{units}::numeric / nullif({orders}, 0) * 100'],
];

/** A random fusion query as data; `toGraphQL` and `referenceSql` read it. */
export interface FusionQuery {
  readonly join: JoinKind;
  /** No rows selected: totals alone, over every key at its default bucket (month). */
  readonly totalsOnly: boolean;
  readonly keys: readonly Key[];
  readonly grain: (typeof GRAINS)[number];
  readonly measures: readonly Measure[];
  readonly calc: readonly [string, string] | null;
  readonly where: { region?: Record<string, unknown>; month?: { gte?: string; lt?: string } };
  readonly having: { measure: Measure; op: 'gt' | 'lt'; value: number } | null;
  readonly orderBy: readonly { field: Key | Measure; dir: 'asc' | 'desc' }[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly totals: readonly Measure[] | null;
  readonly totalsCalc: readonly [string, string] | null;
  readonly cache: 'DEFAULT' | 'BYPASS';
}

export function randomFusionQuery(rand: () => number): FusionQuery {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;

  const join = pick(JOINS);
  const totalsOnly = chance(0.08);
  const keys: readonly Key[] = totalsOnly ? ['region', 'month'] : pick([['region'], ['month'], ['region', 'month'], ['region', 'month']]);
  const grain = totalsOnly ? 'MONTH' : pick(GRAINS);
  const measures = MEASURES.filter(() => chance(0.45));
  if (measures.length === 0) measures.push(pick(MEASURES));
  const calc = chance(0.4) ? pick(CALCS) : null;
  const where: FusionQuery['where'] = {};
  if (chance(0.35)) {
    const op = pick(['eq', 'in', 'notIn']);
    where.region = { [op]: op === 'eq' ? pick(REGIONS) : [...new Set([pick(REGIONS), pick(REGIONS), pick(REGIONS)])] };
  }
  if (chance(0.35)) {
    const [from, to] = [pick(MONTHS), pick(MONTHS)].sort();
    where.month = chance(0.5) ? { gte: from, lt: to } : chance(0.5) ? { gte: from } : { lt: to };
  }
  const having = chance(0.25) ? { measure: pick(MEASURES), op: pick(['gt', 'lt'] as const), value: pick([0, 200, 1000, 3000, 20000]) } : null;
  const orderable = [...keys, ...MEASURES];
  const orderBy = [...new Set([pick(orderable), pick(orderable)])].filter(() => chance(0.6)).map((field) => ({ field, dir: pick(['asc', 'desc'] as const) }));
  const limit = chance(0.4) ? pick([0, 1, 5, 20]) : null;
  const offset = chance(0.3) ? pick([0, 3, 10]) : null;
  const totals = totalsOnly || chance(0.4) ? [...new Set([pick(MEASURES), pick(MEASURES)])] : null;
  const totalsCalc = totals && chance(0.5) ? pick(CALCS) : null;
  // Most queries are answered from cached member cores; some go to both sources.
  const cache = chance(0.25) ? 'BYPASS' : 'DEFAULT';
  return { join, totalsOnly, keys, grain, measures, calc, where, having, orderBy, limit, offset, totals, totalsCalc, cache };
}

export function toGraphQL(q: FusionQuery): { query: string; variables: Record<string, unknown> } {
  const name = fusionName(q.join);
  const T = name[0]!.toUpperCase() + name.slice(1);
  const fields = [
    ...q.keys.map((k, i) => (k === 'month' ? `k${i}: month(granularity: ${q.grain})` : `k${i}: region`)),
    ...q.measures,
    ...(q.calc ? [`c0: calc(expr: ${JSON.stringify(q.calc[0])})`] : []),
  ];
  const totalFields = [...(q.totals ?? []), ...(q.totalsCalc ? [`tc: calc(expr: ${JSON.stringify(q.totalsCalc[0])})`] : [])];
  const query = `query Q($where: ${T}Where, $having: ${T}Having, $orderBy: [${T}OrderBy!], $limit: Int, $offset: Int, $cache: CacheMode) {
  ${name}(where: $where, having: $having, orderBy: $orderBy, limit: $limit, offset: $offset, cache: $cache) {
    ${q.totalsOnly ? '' : `rows { ${fields.join(' ')} }`}${q.totals ? ` totals { ${totalFields.join(' ')} }` : ''} meta { cache }
  }
}`;
  const variables = {
    where: Object.keys(q.where).length ? q.where : null,
    having: q.having && { [q.having.measure]: { [q.having.op]: q.having.value } },
    orderBy: q.orderBy.map((o) => ({ [o.field]: o.dir.toUpperCase() })),
    limit: q.limit,
    offset: q.offset,
    cache: q.cache,
  };
  return { query, variables };
}

/**
 * The same question in one Postgres query: each side aggregated and filtered on its own,
 * joined on the selected keys (coalesced, for full joins), then having, the order
 * contract and limit; totals re-aggregated over all joined rows.
 */
export function referenceSql(q: FusionQuery): { rows: string | null; totals: string | null; params: unknown[] } {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const side = (timeColumn: string) => {
    const filters: string[] = [];
    const { region, month } = q.where;
    if (region?.eq !== undefined) filters.push(`region = ${p(region.eq)}::text`);
    if (region?.in) filters.push(`region = any(${p(region.in)}::text[])`);
    if (region?.notIn) filters.push(`region <> all(${p(region.notIn)}::text[])`);
    if (month?.gte) filters.push(`${timeColumn} >= (${p(month.gte)}::timestamp at time zone 'UTC')`);
    if (month?.lt) filters.push(`${timeColumn} < (${p(month.lt)}::timestamp at time zone 'UTC')`);
    const groups = q.keys.map((k) => (k === 'region' ? 'region' : `date_trunc('${q.grain.toLowerCase()}', ${timeColumn} at time zone 'UTC')`));
    return { select: q.keys.map((k, i) => `${groups[i]} as ${k}`).join(', '), where: filters.join(' and ') || 'true', group: groups.join(', ') };
  };
  const [a, b] = [side('ts'), side('month::timestamptz')];
  const joined = `with a as (
    select ${a.select}, sum(amount) as revenue, count(*) as orders, sum(amount) as amount_sum, count(amount) as amount_n, sum(qty) as units
    from ${FUSION_SCHEMA}.sales where ${a.where} group by ${a.group}
  ), b as (
    select ${b.select}, sum(target) as target from ${FUSION_SCHEMA}.targets where ${b.where} group by ${b.group}
  ), j as (
    select ${q.keys.map((k) => `coalesce(a.${k}, b.${k}) as ${k}`).join(', ')}, revenue, orders, amount_sum, amount_n, units, target
    from a ${{ inner: 'join', left: 'left join', full: 'full join' }[q.join]} b on ${q.keys.map((k) => `a.${k} = b.${k}`).join(' and ')}
  )`;
  const calcSql = (template: string, sql: Record<Measure, string>) => template.replace(/\{(\w+)\}/g, (_, m: Measure) => `(${sql[m]})`);

  const select = [
    ...q.keys.map((k, i) => (k === 'region' ? `region as k${i}` : `to_char(month, 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"') as k${i}`)),
    ...q.measures.map((m) => `(${ROW_SQL[m]})::float8 as "${m}"`),
    ...(q.calc ? [`(${calcSql(q.calc[1], ROW_SQL)})::float8 as c0`] : []),
  ];
  const having = q.having ? `(${ROW_SQL[q.having.measure]}) ${q.having.op === 'gt' ? '>' : '<'} ${q.having.value}` : 'true';
  // The order contract: the requested entries, then the remaining keys ascending by plan
  // key (month.<grain> before region); nulls last either way.
  const order = q.orderBy.map((o) => `${o.field === 'region' || o.field === 'month' ? o.field : `(${ROW_SQL[o.field]})`} ${o.dir} nulls last`);
  for (const k of [...q.keys].sort()) if (!q.orderBy.some((o) => o.field === k)) order.push(`${k} asc nulls last`);
  const rows = q.totalsOnly
    ? null
    : `${joined} select ${select.join(', ')} from j where ${having} order by ${order.join(', ')} limit ${q.limit ?? 1000} offset ${q.offset ?? 0}`;

  const totalsSelect = [
    ...(q.totals ?? []).map((m) => `(${TOTAL_SQL[m]})::float8 as "${m}"`),
    ...(q.totalsCalc ? [`(${calcSql(q.totalsCalc[1], TOTAL_SQL)})::float8 as tc`] : []),
  ];
  return { rows, totals: q.totals ? `${joined} select ${totalsSelect.join(', ')} from j` : null, params };
}
