/**
 * Random dashboard sessions for the cache suites: a session is a sequence of queries in
 * which each one is the previous one changed the way a dashboard user changes a chart
 * (drill up or down, add or remove a dimension, filter what is on screen, re-sort, top-N,
 * having, a calculation, totals). Everything is decided by the `rand` passed in.
 */

export type Grain = 'HOUR' | 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';
export type DimName = 'region' | 'product' | 'channel' | 'qty' | 'ts';

export interface SessionState {
  readonly dims: readonly { readonly name: DimName; readonly granularity?: Grain }[];
  readonly measures: readonly string[];
  /** GraphQL `where` fields, one per dimension (fields of one object are ANDed). */
  readonly where: Readonly<Record<string, Record<string, unknown>>>;
  readonly having: { readonly measure: string; readonly op: 'gt' | 'gte' | 'lt'; readonly value: number } | null;
  readonly orderBy: readonly { readonly field: string; readonly dir: 'ASC' | 'DESC' }[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly calc: { readonly expr: string; readonly sql: string } | null;
  readonly totals: boolean;
}

/** The dataset's measures as the suites' SQL oracle writes them (float8, like the plan's leaves). */
export const MEASURE_SQL: Readonly<Record<string, string>> = {
  revenue: 'sum(amount)::float8',
  cost: 'sum(cost)::float8',
  orders: 'count(*)::float8',
  qtyCount: 'count(qty)::float8',
  customers: 'count(distinct customer)::float8',
  avgPrice: '(sum(price)::float8 / nullif(count(price), 0))',
  maxAmount: 'max(amount)::float8',
  minAmount: 'min(amount)::float8',
};

const CALCS: readonly { readonly expr: string; readonly sql: string }[] = [
  { expr: 'revenue - cost', sql: 'sum(amount)::float8 - sum(cost)::float8' },
  { expr: 'revenue / orders', sql: 'sum(amount)::float8 / nullif(count(*), 0)' },
  { expr: 'round(avgPrice * 100) / 100', sql: 'round(avg(price) * 100) / 100' },
  { expr: 'maxAmount - minAmount', sql: 'max(amount)::float8 - min(amount)::float8' },
  { expr: 'coalesce(minAmount, 0) + orders', sql: 'coalesce(min(amount)::float8, 0) + count(*)' },
];

const VALUES: Readonly<Record<string, readonly (string | number)[]>> = {
  region: ['North', 'South', 'East', 'West', 'Central'],
  product: ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8'],
  channel: ['web', 'store', 'partner'],
  qty: [1, 2, 3, 5, 8, 9],
};
const SUBSTRINGS = ['e', 'or', 'P', 'st', 'x'];

/** Bucket starts of each granularity in the dataset's zone (DST days included). */
const BUCKET_STARTS: Readonly<Record<Grain, readonly string[]>> = {
  HOUR: ['2023-03-12T03:00:00', '2023-11-05T01:00:00', '2024-06-01T12:00:00'],
  DAY: ['2023-03-12', '2023-11-05', '2024-03-10', '2024-06-15'],
  WEEK: ['2023-03-13', '2024-03-04', '2024-10-28'],
  MONTH: ['2023-04-01', '2023-11-01', '2024-03-01', '2024-07-01'],
  QUARTER: ['2023-04-01', '2023-10-01', '2024-01-01', '2024-07-01'],
  YEAR: ['2023-01-01', '2024-01-01'],
};
const COARSER: Readonly<Record<Grain, readonly Grain[]>> = {
  HOUR: ['DAY'], DAY: ['WEEK', 'MONTH'], WEEK: [], MONTH: ['QUARTER'], QUARTER: ['YEAR'], YEAR: [],
};
const FINER: Readonly<Record<Grain, readonly Grain[]>> = {
  HOUR: [], DAY: ['HOUR'], WEEK: ['DAY'], MONTH: ['DAY'], QUARTER: ['MONTH'], YEAR: ['QUARTER'],
};

/** The first query of each session: a chart a dashboard opens with. */
export const OPENING_CHARTS: readonly SessionState[] = [
  [['region', 'ts:MONTH'], ['revenue', 'orders']],
  [['product', 'ts:DAY'], ['revenue', 'avgPrice']],
  [['channel', 'region'], ['orders', 'maxAmount', 'minAmount']],
  [['ts:HOUR'], ['revenue', 'qtyCount']],
  [['qty', 'ts:QUARTER'], ['cost', 'avgPrice', 'customers']],
  [['region', 'product', 'ts:WEEK'], ['revenue', 'cost']],
].map(([dims, measures]) => ({
  dims: dims!.map((d) => {
    const [name, granularity] = d.split(':') as [DimName, Grain?];
    return granularity ? { name, granularity } : { name };
  }),
  measures: measures!,
  where: {},
  having: null,
  orderBy: [],
  limit: null,
  offset: null,
  calc: null,
  totals: false,
}));

type Rand = { pick<T>(items: readonly T[]): T; chance(p: number): boolean; int(lo: number, hi: number): number };
type Move = (s: SessionState, r: Rand, shown: readonly Record<string, unknown>[]) => SessionState | null;

const timeDim = (s: SessionState) => s.dims.find((d) => d.name === 'ts');
const withGrain = (s: SessionState, g: Grain): SessionState => ({ ...s, dims: s.dims.map((d) => (d.name === 'ts' ? { name: 'ts', granularity: g } : d)) });
const without = <T extends Record<string, unknown>>(o: T, key: string): T => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key)) as T;

/** Each interaction a user can make, with how often it happens; null when it does not apply. */
export const MOVES: readonly { readonly name: string; readonly weight: number; readonly apply: Move }[] = [
  { name: 'drill up', weight: 3, apply: (s, r) => { const t = timeDim(s); return t && COARSER[t.granularity!].length ? withGrain(s, r.pick(COARSER[t.granularity!])) : null; } },
  { name: 'drill down', weight: 1.2, apply: (s, r) => { const t = timeDim(s); return t && FINER[t.granularity!].length ? withGrain(s, r.pick(FINER[t.granularity!])) : null; } },
  { name: 'add time', weight: 0.6, apply: (s, r) => (timeDim(s) || s.dims.length >= 3 ? null : { ...s, dims: [...s.dims, { name: 'ts', granularity: r.pick(['DAY', 'MONTH'] as const) }] }) },
  {
    name: 'remove dimension',
    weight: 1.5,
    apply: (s, r) => {
      if (s.dims.length < 2) return null;
      const gone = r.pick(s.dims).name;
      return { ...s, dims: s.dims.filter((d) => d.name !== gone), orderBy: s.orderBy.filter((o) => o.field !== gone), where: r.chance(0.5) ? without(s.where, gone) : s.where };
    },
  },
  {
    name: 'add dimension',
    weight: 1.3,
    apply: (s, r) => {
      const free = (['region', 'product', 'channel', 'qty'] as const).filter((n) => !s.dims.some((d) => d.name === n));
      return s.dims.length >= 3 || free.length === 0 ? null : { ...s, dims: [...s.dims, { name: r.pick(free) }] };
    },
  },
  {
    name: 'add filter',
    weight: 2.5,
    apply: (s, r) => {
      const open = s.dims.filter((d) => !s.where[d.name]);
      if (open.length === 0) return null;
      const d = r.pick(open);
      return { ...s, where: { ...s.where, [d.name]: randomPredicate(d.name, d.granularity, r) } };
    },
  },
  { name: 'remove filter', weight: 1, apply: (s, r) => { const keys = Object.keys(s.where); return keys.length ? { ...s, where: without(s.where, r.pick(keys)) } : null; } },
  {
    name: 're-sort',
    weight: 2,
    apply: (s, r) => {
      const field = r.chance(0.6) ? r.pick(s.measures) : r.pick(s.dims).name;
      return { ...s, orderBy: [{ field, dir: r.pick(['ASC', 'DESC'] as const) }] };
    },
  },
  {
    name: 'top-N',
    weight: 2,
    apply: (s, r) => ({ ...s, orderBy: r.chance(0.7) ? [{ field: r.pick(s.measures), dir: 'DESC' }] : s.orderBy, limit: r.int(1, 10), offset: r.chance(0.4) ? r.int(1, 3) : null }),
  },
  { name: 'show all', weight: 0.6, apply: (s) => (s.limit === null ? null : { ...s, limit: null, offset: null }) },
  {
    name: 'having',
    weight: 1.2,
    apply: (s, r, shown) => {
      const measure = r.pick(s.measures.filter((m) => m !== 'customers').concat('orders'));
      const seen = shown.map((row) => row[measure]).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
      const value = seen.length ? Math.round(seen[Math.floor(seen.length / 2)]! * 100) / 100 : 10;
      return { ...s, having: { measure, op: r.pick(['gt', 'gte', 'lt'] as const), value } };
    },
  },
  { name: 'clear having', weight: 0.6, apply: (s) => (s.having ? { ...s, having: null } : null) },
  { name: 'add calc', weight: 1, apply: (s, r) => ({ ...s, calc: r.pick(CALCS) }) },
  { name: 'clear calc', weight: 0.4, apply: (s) => (s.calc ? { ...s, calc: null } : null) },
  { name: 'toggle totals', weight: 1, apply: (s) => ({ ...s, totals: !s.totals }) },
  {
    name: 'add measure',
    weight: 0.7,
    apply: (s, r) => {
      const free = Object.keys(MEASURE_SQL).filter((m) => !s.measures.includes(m) && (m !== 'customers' || r.chance(0.3)));
      return s.measures.length >= 4 || free.length === 0 ? null : { ...s, measures: [...s.measures, r.pick(free)] };
    },
  },
  {
    name: 'remove measure',
    weight: 0.7,
    apply: (s, r) => {
      if (s.measures.length < 2) return null;
      const gone = r.pick(s.measures);
      return { ...s, measures: s.measures.filter((m) => m !== gone), orderBy: s.orderBy.filter((o) => o.field !== gone) };
    },
  },
];

function randomPredicate(name: DimName, granularity: Grain | undefined, r: Rand): Record<string, unknown> {
  if (name === 'ts') {
    const starts = [...BUCKET_STARTS[granularity!]].sort();
    const i = r.int(0, starts.length - 1);
    const j = r.int(i + 1, starts.length);
    if (j === starts.length || r.chance(0.3)) return { gte: starts[i] };
    return r.chance(0.3) ? { lt: starts[j] } : { gte: starts[i], lt: starts[j] };
  }
  const values = VALUES[name]!;
  const op = r.pick(name === 'qty' ? ['eq', 'gte', 'lt', 'in', 'notIn'] : ['eq', 'in', 'notIn', 'contains', 'isNull']);
  if (op === 'in' || op === 'notIn') return { [op]: values.filter(() => r.chance(0.4)).slice(0, 4) };
  if (op === 'contains') return { contains: r.pick(SUBSTRINGS) };
  if (op === 'isNull') return { isNull: r.chance(0.5) };
  return { [op]: r.pick(values) };
}

/** The next state of a session: a weighted random applicable move. */
export function nextInteraction(s: SessionState, rand: () => number, shown: readonly Record<string, unknown>[]): { move: string; state: SessionState } {
  const r: Rand = {
    pick: (items) => items[Math.floor(rand() * items.length)]!,
    chance: (p) => rand() < p,
    int: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)),
  };
  const total = MOVES.reduce((sum, m) => sum + m.weight, 0);
  for (;;) {
    let x = rand() * total;
    const move = MOVES.find((m) => (x -= m.weight) < 0) ?? MOVES[0]!;
    const state = move.apply(s, r, shown);
    if (state) return { move: move.name, state };
  }
}

/** The GraphQL request for a state, answered with the given cache mode. */
export function sessionRequest(s: SessionState, cache: 'DEFAULT' | 'BYPASS'): { query: string; variables: Record<string, unknown> } {
  const calc = s.calc ? [`calc(expr: ${JSON.stringify(s.calc.expr)})`] : [];
  const rows = [...s.dims.map((d) => (d.granularity ? `ts(granularity: ${d.granularity})` : d.name)), ...s.measures, ...calc];
  const totals = s.totals ? `\n    totals { ${[...s.measures, ...calc].join(' ')} }` : '';
  const query = `query S($where: FactsWhere, $having: FactsHaving, $orderBy: [FactsOrderBy!], $limit: Int, $offset: Int, $cache: CacheMode) {
  facts(where: $where, having: $having, orderBy: $orderBy, limit: $limit, offset: $offset, cache: $cache) {
    rows { ${rows.join(' ')} }${totals}
    meta { cache sources { sql rows } }
  }
}`;
  const variables = {
    where: Object.keys(s.where).length ? s.where : null,
    having: s.having ? { [s.having.measure]: { [s.having.op]: s.having.value } } : null,
    orderBy: s.orderBy.map((o) => ({ [o.field]: o.dir })),
    limit: s.limit,
    offset: s.offset,
    cache,
  };
  return { query, variables };
}
