import { DIMENSIONS, GRANULARITIES, MEASURES } from './differentialFixture.ts';

/** A random aggregate query: its GraphQL text and variables, and what the test's SQL needs. */
export interface QuerySpec {
  readonly graphql: string;
  readonly variables: Record<string, unknown>;
  readonly dims: { name: string; alias: string; granularity?: string }[];
  readonly measures: { name: string; alias: string }[];
  readonly calcs: { alias: string; sql: string }[];
  readonly where: Record<string, any> | null;
  readonly having: Record<string, any> | null;
  readonly orderBy: { field: string; dir: 'asc' | 'desc' }[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly totals: { name: string; alias: string }[] | null;
  readonly totalCalcs: { alias: string; sql: string }[];
}

/** calc expressions with the same calculation written in SQL by hand. */
const CALCS: readonly [string, string][] = [
  ['revenue - cost', 'sum(amount) - sum(cost)'],
  ['revenue / orders', 'sum(amount)::float8 / nullif(count(*), 0)'],
  ['round(avgPrice * 100) / 100', 'round(avg(price) * 100) / 100'],
  ['coalesce(maxAmount, 0) + abs(minAmount)', 'coalesce(max(amount), 0) + abs(min(amount))'],
  ['max(revenue, cost * 2)', 'greatest(sum(amount), sum(cost) * 2)'],
  ['nullif(orders, qtyCount)', 'nullif(count(*), count(qty))'],
  ['-(notional) / (qtyCount - qtyCount)', 'null::float8'],
  ['floor(customers / 3) + ceil(orders / 7)', 'floor(count(distinct customer)::float8 / 3) + ceil(count(*)::float8 / 7)'],
];

const STRINGS: Record<string, readonly string[]> = {
  region: ['North', 'South', 'East', 'West', 'Central', 'Nowhere'],
  product: ['P1', 'P2', 'P3', 'P5', 'P8', 'P9'],
  channel: ['web', 'store', 'partner'],
};
const SUBSTRINGS = ['or', 'e', 'P', 'st', 'x', 'Nor', ''];
const TIMES = ['2023-03-12T02:30:00', '2023-06-01', '2023-11-05T01:30:00', '2024-01-01T00:00:00Z', '2024-03-10', '2024-07-04T12:00:00-07:00', '2024-11-03T06:30:00Z'];

export function randomQuery(rand: () => number): QuerySpec {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;

  const dims: QuerySpec['dims'] = [];
  const names = Object.keys(DIMENSIONS).filter(() => chance(0.3));
  for (const name of names) {
    if (name === 'ts') {
      const grains = [...new Set([pick(GRANULARITIES.slice(2)), ...(chance(0.3) ? [pick(GRANULARITIES.slice(3))] : [])])];
      for (const g of grains) dims.push({ name, alias: `d${dims.length}`, granularity: g });
    } else {
      dims.push({ name, alias: `d${dims.length}` });
    }
  }
  const measures = [...new Set(MEASURES.filter(() => chance(0.25)))].map((name, i) => ({ name, alias: `m${i}` }));
  const calcs = chance(0.4) ? [pick(CALCS)].map(([expr, sql], i) => ({ alias: `c${i}`, expr, sql })) : [];
  const where = chance(0.8) ? randomWhere(rand, pick, chance, 0) : null;
  const having = chance(0.25) ? { [pick(MEASURES)]: { [pick(['gt', 'gte', 'lt', 'lte', 'ne'])]: pick([0, 1, 5, 20, 100, 1000, 5000]) } } : null;
  const orderable = [...new Set([...dims.map((d) => d.name), ...MEASURES])];
  const orderBy = [...new Set(orderable.filter(() => chance(0.12)))].slice(0, 3).map((field) => ({ field, dir: pick(['asc', 'desc'] as const) }));
  const limit = chance(0.5) ? pick([0, 1, 3, 10, 50, 2000]) : null;
  const offset = chance(0.3) ? pick([0, 1, 5, 40]) : null;
  const totals = chance(0.4) ? MEASURES.filter(() => chance(0.3)).map((name, i) => ({ name, alias: `t${i}` })) : null;
  const totalCalcs = totals && chance(0.5) ? [pick(CALCS)].map(([expr, sql]) => ({ alias: 'tc0', expr, sql })) : [];

  const fields = [
    ...dims.map((d) => (d.granularity ? `${d.alias}: ts(granularity: ${d.granularity})` : `${d.alias}: ${d.name}`)),
    ...measures.map((m) => `${m.alias}: ${m.name}`),
    ...calcs.map((c) => `${c.alias}: calc(expr: ${JSON.stringify(c.expr)})`),
    '__typename',
  ];
  const totalFields = totals ? [...totals.map((m) => `${m.alias}: ${m.name}`), ...totalCalcs.map((c) => `${c.alias}: calc(expr: ${JSON.stringify(c.expr)})`), '__typename'] : [];
  const graphql = `query Q($where: FactsWhere, $having: FactsHaving, $orderBy: [FactsOrderBy!], $limit: Int, $offset: Int) {
  facts(where: $where, having: $having, orderBy: $orderBy, limit: $limit, offset: $offset) {
    rows { ${fields.join(' ')} }${totals ? `\n    totals { ${totalFields.join(' ')} }` : ''}
  }
}`;
  const variables = {
    where,
    having,
    orderBy: orderBy.map((o) => ({ [o.field]: o.dir.toUpperCase() })),
    limit,
    offset,
  };
  return { graphql, variables, dims, measures, calcs, where, having, orderBy, limit, offset, totals, totalCalcs };
}

function randomWhere(rand: () => number, pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean, depth: number): Record<string, any> {
  if (depth < 3 && chance(0.3)) {
    const kind = pick(['AND', 'OR', 'NOT'] as const);
    if (kind === 'NOT') return { NOT: randomWhere(rand, pick, chance, depth + 1) };
    const n = pick([0, 1, 2, 3]);
    return { [kind]: Array.from({ length: n }, () => randomWhere(rand, pick, chance, depth + 1)) };
  }
  const field = pick(Object.keys(DIMENSIONS)) as keyof typeof DIMENSIONS;
  const type = DIMENSIONS[field];
  if (chance(0.08)) return { [field]: { isNull: chance(0.5) } };
  switch (type) {
    case 'string': {
      const op = pick(['eq', 'ne', 'in', 'notIn', 'contains', 'startsWith']);
      const values = STRINGS[field]!;
      if (op === 'in' || op === 'notIn') return { [field]: { [op]: values.filter(() => chance(0.4)) } };
      if (op === 'contains' || op === 'startsWith') return { [field]: { [op]: pick(SUBSTRINGS) } };
      return { [field]: { [op]: pick(values) } };
    }
    case 'number': {
      const op = pick(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'notIn']);
      if (op === 'in' || op === 'notIn') return { [field]: { [op]: [1, 2, 3, 4.5, 8, 3].filter(() => chance(0.5)) } };
      return { [field]: { [op]: pick([0, 1, 2.5, 4, 7, 9]) } };
    }
    case 'boolean':
      return { [field]: { [pick(['eq', 'ne'])]: chance(0.5) } };
    case 'time': {
      const ops = Object.fromEntries(['gte', 'lt', 'gt', 'lte', 'eq'].filter(() => chance(0.35)).map((op) => [op, pick(TIMES)]));
      return { [field]: Object.keys(ops).length ? ops : { gte: pick(TIMES) } };
    }
  }
}
