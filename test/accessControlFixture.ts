import type pg from 'pg';
import { referenceFilterSql } from './support/referenceFilterSql.ts';

/**
 * Data, config and random queries for test/accessControl.test.ts.
 *
 * `sales` (5,000 rows over 2024 in Berlin time, regions North/South/East/West/Central and
 * some nulls), `targets` (per region and month, with an Arctic region sales never has) and
 * `customers` (each with a home region of its own, independent of the regions of its
 * sales). Roles: `admin` ("*"), `tenant` (rows: region in $claims.regions, with `product`
 * and `cost` hidden), `channelDesk` (sales rows: channel = $claims.channel, a dimension
 * that is not a key of the fusion; every target), `desk` (rows: channel = $claims.channel
 * and region <> Central; sales only, few members).
 */
/** One schema per test process: other checkouts' runs may use the same server at the same time. */
export const ACCESS_SCHEMA = `tributary_access_${process.pid}`;
export const ACCESS_ZONE = 'Europe/Berlin';
export const REGIONS = ['North', 'South', 'East', 'West', 'Central'] as const;

export async function createAccessTables(client: pg.Client): Promise<void> {
  const s = ACCESS_SCHEMA;
  await client.query(`drop schema if exists ${s} cascade; create schema ${s}`);
  await client.query(`
    create table ${s}.sales as
    select g as id,
      timestamptz '2024-01-01 00:00:00+00' + ((g::int8 * 2654435761) % 31536000) * interval '1 second' as ts,
      case when g % 41 = 0 then null else (array['North','South','East','West','Central'])[1 + (g * 7) % 5] end as region,
      (array['web','store','partner'])[1 + (g * 11) % 3] as channel,
      'P' || (1 + (g * 13) % 6) as product,
      case when g % 17 = 0 then null else 1 + (g * 5) % 9 end as qty,
      (((g * 37) % 5000) / 100.0 + 1)::numeric(10,2) as amount,
      round((((g * 37) % 5000) / 100.0 + 1) * 0.6, 2)::numeric(10,2) as cost,
      1 + (g * 31) % 400 as customer_id
    from generate_series(1, 5000) g;
    create table ${s}.targets as
    select r as region, (date '2023-12-01' + m * interval '1 month')::date as month,
      (500 + ((i * 7919) % 100003) / 100.0)::numeric(12,2) as target
    from unnest(array['North','South','East','West','Central','Arctic']) with ordinality as t(r, i),
      generate_series(0, 13) m
    where (i * 3 + m) % 7 <> 0;
    create table ${s}.customers as
    select id as customer_id, 'Customer ' || id as name,
      (array['North','South','East','West','Central'])[1 + (id * 3) % 5] as region,
      (array['retail','smb','enterprise'])[1 + id % 3] as segment,
      (1000 + (id * 7919) % 9000)::numeric(12,2) as credit_limit
    from generate_series(1, 400) id
    where id % 37 <> 0;
    analyze ${s}.sales; analyze ${s}.targets; analyze ${s}.customers`);
}

export const TENANT_SALES_MEMBERS = ['region', 'channel', 'qty', 'customerId', 'orderDate', 'revenue', 'orders', 'avgAmount', 'maxAmount', 'minAmount', 'customers'] as const;
export const DESK_SALES_MEMBERS = ['region', 'orderDate', 'revenue', 'orders', 'maxAmount'] as const;

/** `auth` is the YAML of the `auth:` block (a secret or a JWKS file). */
export const ACCESS_CONFIG = (url: string, auth: string) => `
server: { defaultLimit: 1000, maxLimit: 50000 }
cache: { enabled: true, maxBytes: 256mb }
auth: ${auth}
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  sales:
    source: warehouse
    table: ${ACCESS_SCHEMA}.sales
    timezone: ${ACCESS_ZONE}
    dimensions:
      region: { type: string }
      channel: { type: string }
      product: { type: string }
      qty: { type: number }
      customerId: { type: number, column: customer_id }
      orderDate: { type: time, column: ts, granularity: day }
    measures:
      revenue: { sum: amount }
      cost: { sum: cost }
      orders: { count: "*" }
      avgAmount: { avg: amount }
      maxAmount: { max: amount }
      minAmount: { min: amount }
      customers: { countDistinct: customer_id }
    relations:
      customer: { dataset: customers, on: { customerId: customerId } }
  targets:
    source: warehouse
    table: ${ACCESS_SCHEMA}.targets
    timezone: ${ACCESS_ZONE}
    dimensions:
      region: { type: string }
      month: { type: time, granularity: month }
    measures:
      target: { sum: target }
  customers:
    source: warehouse
    table: ${ACCESS_SCHEMA}.customers
    timezone: ${ACCESS_ZONE}
    dimensions:
      customerId: { type: number, column: customer_id }
      name: { type: string }
      region: { type: string }
      segment: { type: string }
    measures:
      creditLimit: { sum: credit_limit }
fusions:
  salesVsTargets:
    join: full
    keys: { region: string, month: time }
    members:
      sales: { region: region, month: orderDate }
      targets: { region: region, month: month }
roles:
  admin: "*"
  tenant:
    sales:
      rows: { region: { in: "$claims.regions" } }
      members: [${TENANT_SALES_MEMBERS.join(', ')}]
    targets: { rows: { region: { in: "$claims.regions" } } }
    customers: { rows: { region: { in: "$claims.regions" } } }
    salesVsTargets: {}
  channelDesk:
    sales: { rows: { channel: { eq: "$claims.channel" } } }
    targets: {}
    salesVsTargets: {}
  desk:
    sales:
      rows: { AND: [{ channel: { eq: "$claims.channel" } }, { region: { ne: "Central" } }] }
      members: [${DESK_SALES_MEMBERS.join(', ')}]
`;

/** Each measure in SQL, written here independently of the planner. */
export const MEASURE_SQL: Record<string, string> = {
  revenue: 'sum(amount)',
  cost: 'sum(cost)',
  orders: 'count(*)',
  avgAmount: 'avg(amount)',
  maxAmount: 'max(amount)',
  minAmount: 'min(amount)',
  customers: 'count(distinct customer_id)',
};
const DIMENSION_TYPES: Record<string, 'string' | 'number' | 'time'> = { region: 'string', channel: 'string', qty: 'number', orderDate: 'time' };
const COLUMN: Record<string, string> = { region: 'region', channel: 'channel', qty: 'qty', orderDate: 'ts' };
const GRAINS = ['HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
const STRINGS: Record<string, readonly string[]> = {
  region: ['North', 'South', 'East', 'West', 'Central', 'Nowhere'],
  channel: ['web', 'store', 'partner'],
};
const TIMES = ['2024-02-01', '2024-03-31T02:30:00', '2024-05-15T12:00:00Z', '2024-07-01', '2024-10-27T02:30:00', '2024-12-01T00:00:00+01:00'];
const CALCS: readonly (readonly [string, string, readonly string[]])[] = [
  ['revenue / orders', 'sum(amount)::float8 / nullif(count(*), 0)', ['revenue', 'orders']],
  ['coalesce(maxAmount, 0) - coalesce(minAmount, 0)', 'coalesce(max(amount), 0) - coalesce(min(amount), 0)', ['maxAmount', 'minAmount']],
  ['round(revenue * 2) / 2', 'round(sum(amount) * 2) / 2', ['revenue']],
];

/** What a role may query: the random queries use only these. */
export interface Visible {
  readonly dims: readonly string[];
  readonly measures: readonly string[];
}

export interface TenantQuery {
  readonly graphql: string;
  readonly variables: Record<string, unknown>;
  readonly dims: readonly { name: string; alias: string; granularity?: string }[];
  readonly measures: readonly { name: string; alias: string }[];
  readonly calcs: readonly { alias: string; expr: string; sql: string }[];
  readonly where: Record<string, any> | null;
  readonly having: Record<string, any> | null;
  readonly orderBy: readonly { field: string; dir: 'asc' | 'desc' }[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly totals: readonly { name: string; alias: string }[] | null;
}

/**
 * A random aggregate query over `sales` using only `visible` members (after
 * test/randomQuery.ts): dimensions, time buckets, measures, a calc, where (AND/OR/NOT),
 * having, orderBy, limit, offset and totals.
 */
export function randomTenantQuery(rand: () => number, visible: Visible): TenantQuery {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;
  const dims: { name: string; alias: string; granularity?: string }[] = [];
  for (const name of visible.dims.filter(() => chance(0.4))) {
    if (DIMENSION_TYPES[name] === 'time') {
      // Mostly buckets a day-grained core rolls up to; HOUR cannot derive from one.
      const grains = [...new Set([pick(GRAINS), ...(chance(0.2) ? [pick(GRAINS.slice(1))] : [])])];
      for (const g of grains) dims.push({ name, alias: `d${dims.length}`, granularity: g });
    } else dims.push({ name, alias: `d${dims.length}` });
  }
  const measures = visible.measures.filter(() => chance(0.35)).map((name, i) => ({ name, alias: `m${i}` }));
  const calcs = chance(0.3)
    ? CALCS.filter(([, , uses]) => uses.every((m) => visible.measures.includes(m)))
        .slice(0, 1)
        .map(([expr, sql], i) => ({ alias: `c${i}`, expr, sql }))
    : [];
  if (dims.length + measures.length + calcs.length === 0) measures.push({ name: pick(visible.measures), alias: 'm0' });
  const where = chance(0.75) ? randomWhere(pick, chance, visible, 0) : null;
  const having = chance(0.2) ? { [pick(visible.measures)]: { [pick(['gt', 'gte', 'lt', 'ne'])]: pick([0, 1, 10, 100, 1000, 20000]) } } : null;
  const orderable = [...new Set([...dims.map((d) => d.name), ...visible.measures])];
  const orderBy = orderable.filter(() => chance(0.15)).slice(0, 3).map((field) => ({ field, dir: pick(['asc', 'desc'] as const) }));
  const limit = chance(0.45) ? pick([0, 1, 3, 10, 50, 2000]) : null;
  const offset = chance(0.25) ? pick([0, 1, 5, 40]) : null;
  const totalMeasures = chance(0.4) ? visible.measures.filter(() => chance(0.4)) : [];
  const totals = totalMeasures.length > 0 ? totalMeasures.map((name, i) => ({ name, alias: `t${i}` })) : null;
  const fields = [
    ...dims.map((d) => (d.granularity ? `${d.alias}: ${d.name}(granularity: ${d.granularity})` : `${d.alias}: ${d.name}`)),
    ...measures.map((m) => `${m.alias}: ${m.name}`),
    ...calcs.map((c) => `${c.alias}: calc(expr: ${JSON.stringify(c.expr)})`),
    '__typename',
  ];
  const totalFields = totals ? [...totals.map((m) => `${m.alias}: ${m.name}`), '__typename'] : [];
  const graphql = `query Q($where: SalesWhere, $having: SalesHaving, $orderBy: [SalesOrderBy!], $limit: Int, $offset: Int) {
  sales(where: $where, having: $having, orderBy: $orderBy, limit: $limit, offset: $offset) {
    rows { ${fields.join(' ')} }${totals ? `\n    totals { ${totalFields.join(' ')} }` : ''}
    meta { cache }
  }
}`;
  const variables = { where, having, orderBy: orderBy.map((o) => ({ [o.field]: o.dir.toUpperCase() })), limit, offset };
  return { graphql, variables, dims, measures, calcs, where, having, orderBy, limit, offset, totals };
}

function randomWhere(pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean, visible: Visible, depth: number): Record<string, any> {
  if (depth < 2 && chance(0.25)) {
    const kind = pick(['AND', 'OR', 'NOT'] as const);
    if (kind === 'NOT') return { NOT: randomWhere(pick, chance, visible, depth + 1) };
    return { [kind]: Array.from({ length: pick([1, 2, 3]) }, () => randomWhere(pick, chance, visible, depth + 1)) };
  }
  const field = pick(visible.dims.filter((d) => DIMENSION_TYPES[d]));
  if (chance(0.06)) return { [field]: { isNull: chance(0.5) } };
  switch (DIMENSION_TYPES[field]) {
    case 'string': {
      const op = pick(['eq', 'ne', 'in', 'in', 'notIn', 'startsWith']);
      const values = STRINGS[field]!;
      if (op === 'in' || op === 'notIn') return { [field]: { [op]: values.filter(() => chance(0.4)) } };
      if (op === 'startsWith') return { [field]: { [op]: pick(['N', 'S', 'We', 'w', 'st', '']) } };
      return { [field]: { [op]: pick(values) } };
    }
    case 'number': {
      const op = pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in']);
      if (op === 'in') return { [field]: { [op]: [1, 2, 4, 6, 9].filter(() => chance(0.5)) } };
      return { [field]: { [op]: pick([0, 1, 3, 5, 8, 9]) } };
    }
    default: {
      const ops = Object.fromEntries(['gte', 'lt', 'lte'].filter(() => chance(0.4)).map((op) => [op, pick(TIMES)]));
      return { [field]: Object.keys(ops).length ? ops : { gte: pick(TIMES) } };
    }
  }
}

/** A caller's row restriction in SQL over `sales`, written here from the role's intent. */
export type PolicySql = (p: (v: unknown) => string) => string;

/**
 * The reference SQL of a query for a caller whose rows are `policy`: the tenant's
 * predicate is ANDed into the WHERE of both the rows and the totals query. Returns the SQL
 * texts and their parameters; run them on a session in ACCESS_ZONE.
 */
export function referenceSql(q: TenantQuery, policy: PolicySql): { rows: [string, unknown[]]; totals: [string, unknown[]] | null } {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = `(${policy(p)}) and ${q.where ? whereSql(q.where, p) : 'true'}`;
  const wall = (g: string) => `date_trunc('${g.toLowerCase()}', ts at time zone '${ACCESS_ZONE}')`;
  const groups = q.dims.map((d) => (d.granularity ? wall(d.granularity) : COLUMN[d.name]!));
  const select = [
    ...q.dims.map((d, i) =>
      d.granularity
        ? `to_char(${groups[i]} at time zone '${ACCESS_ZONE}', 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM') as "${d.alias}"`
        : `${COLUMN[d.name]}${DIMENSION_TYPES[d.name] === 'number' ? '::float8' : ''} as "${d.alias}"`,
    ),
    ...q.measures.map((m) => `(${MEASURE_SQL[m.name]})::float8 as "${m.alias}"`),
    ...q.calcs.map((c) => `(${c.sql})::float8 as "${c.alias}"`),
    `'SalesRow' as "__typename"`,
  ];
  let sql = `select ${select.join(', ')} from ${ACCESS_SCHEMA}.sales where ${where}`;
  if (groups.length > 0) sql += ` group by ${groups.join(', ')}`;
  if (q.having) sql += ` having ${havingSql(q.having, p)}`;
  // The gateway's order: the requested keys, then every other dimension ascending by key.
  const keyOf = (d: TenantQuery['dims'][number]) => (d.granularity ? `${d.name}.${d.granularity.toLowerCase()}` : d.name);
  const used = new Set<string>();
  const order: string[] = [];
  for (const o of q.orderBy) {
    if (MEASURE_SQL[o.field]) order.push(`${MEASURE_SQL[o.field]} ${o.dir} nulls last`);
    for (const d of q.dims.filter((x) => x.name === o.field).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))) {
      if (used.has(keyOf(d))) continue;
      used.add(keyOf(d));
      order.push(`${groups[q.dims.indexOf(d)]} ${o.dir} nulls last`);
    }
  }
  for (const d of q.dims.filter((x) => !used.has(keyOf(x))).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1))) {
    if (used.has(keyOf(d))) continue;
    used.add(keyOf(d));
    order.push(`${groups[q.dims.indexOf(d)]} asc nulls last`);
  }
  if (order.length > 0 && groups.length > 0) sql += ` order by ${order.join(', ')}`;
  sql += ` limit ${q.limit ?? 1000} offset ${q.offset ?? 0}`;
  let totals: [string, unknown[]] | null = null;
  if (q.totals) {
    const tParams: unknown[] = [];
    const tp = (v: unknown) => `$${tParams.push(v)}`;
    const tSelect = [...q.totals.map((m) => `(${MEASURE_SQL[m.name]})::float8 as "${m.alias}"`), `'SalesTotals' as "__typename"`];
    totals = [`select ${tSelect.join(', ')} from ${ACCESS_SCHEMA}.sales where (${policy(tp)}) and ${q.where ? whereSql(q.where, tp) : 'true'}`, tParams];
  }
  return { rows: [sql, params], totals };
}

const { whereSql, havingSql } = referenceFilterSql({
  column: (field) => COLUMN[field]!,
  type: (field) => DIMENSION_TYPES[field],
  measure: (name) => MEASURE_SQL[name]!,
  zone: ACCESS_ZONE,
});
