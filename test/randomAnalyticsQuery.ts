/**
 * Random analytics queries for test/analyticsDifferential.test.ts (issue 14): relative and
 * absolute ranges, compare, rolling windows, total()/parent()/previous.x in calc, built-in
 * and custom granularities, gap filling, other dimensions, filters, having, order and limit,
 * mixed in one query. Each spec carries its GraphQL text and the structure the reference SQL
 * (test/analyticsReference.ts) is written from.
 */

export type Measure = 'revenue' | 'orders' | 'qtyCount' | 'avgPrice' | 'maxAmount' | 'minAmount';
export const ANALYTICS_MEASURES: readonly Measure[] = ['revenue', 'orders', 'qtyCount', 'avgPrice', 'maxAmount', 'minAmount'];
export type Key = 'region' | 'channel';
export type Fill = 'ZERO' | 'NULL' | 'PREVIOUS';

/** A time granularity as the test knows it: its bucket in SQL is written from `unit` or the custom interval. */
export interface Grain {
  readonly name: string;
  /** Built-in: the date_trunc unit. */
  readonly unit?: 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';
  /** Custom: interval in days or months from origin (a wall date). */
  readonly custom?: { readonly days?: number; readonly months?: number; readonly origin: string };
}

export const GRAINS: Record<string, Grain> = {
  HOUR: { name: 'HOUR', unit: 'hour' },
  DAY: { name: 'DAY', unit: 'day' },
  WEEK: { name: 'WEEK', unit: 'week' },
  MONTH: { name: 'MONTH', unit: 'month' },
  QUARTER: { name: 'QUARTER', unit: 'quarter' },
  YEAR: { name: 'YEAR', unit: 'year' },
  fiscalQuarter: { name: 'fiscalQuarter', custom: { months: 3, origin: '2023-02-01' } },
  fortnight: { name: 'fortnight', custom: { days: 14, origin: '2023-01-02' } },
};

/** A relative range form of the spec, structured; `text` is how the query writes it (random case and spacing). */
export type RelativeRange =
  | { readonly form: 'today' | 'yesterday' | 'year to date' | 'month to date'; readonly text: string }
  | { readonly form: 'this' | 'last'; readonly unit: 'week' | 'month' | 'quarter' | 'year'; readonly text: string }
  | { readonly form: 'lastN'; readonly n: number; readonly unit: 'day' | 'week' | 'month'; readonly text: string };

export type RangeSpec = { readonly kind: 'relative'; readonly relative: RelativeRange } | { readonly kind: 'absolute'; readonly gte: string; readonly lt: string };

export interface CalcSpec {
  readonly alias: string;
  readonly expr: string;
  /** What the reference computes. */
  readonly kind: 'share' | 'parentShare' | 'growth' | 'delta' | 'total';
  readonly measure: Measure;
  /** parentShare: the dimension (`ts` is the selected time bucket). */
  readonly parentDim?: Key | 'ts';
}

export interface AnalyticsSpec {
  readonly id: number;
  readonly nowMs: number;
  readonly keys: readonly Key[];
  readonly time: { readonly alias: string; readonly grain: Grain; readonly fill: Fill | null } | null;
  readonly measures: readonly Measure[];
  readonly rolling: readonly { readonly alias: string; readonly measure: Measure; readonly window: string; readonly interval: string }[];
  readonly compare: 'PREVIOUS_PERIOD' | 'PREVIOUS_YEAR' | null;
  readonly previous: readonly Measure[];
  readonly calcs: readonly CalcSpec[];
  readonly range: RangeSpec | null;
  /** Filters on region/channel (top-level keys of where besides ts, or an OR). */
  readonly filters: Record<string, unknown>;
  readonly having: { readonly measure: Measure; readonly op: 'gt' | 'lt'; readonly value: number } | null;
  readonly orderBy: readonly { readonly field: string; readonly dir: 'ASC' | 'DESC' }[];
  readonly limit: number | null;
  /** How many features of issue 14 the query mixes. */
  readonly features: readonly string[];
  readonly graphql: string;
  readonly variables: Record<string, unknown>;
}

/** Fixed clocks: DST-change days in New York, a year boundary, a summer day. */
export const CLOCKS: readonly number[] = [
  Date.parse('2024-03-10T15:00:00Z'), // spring forward day, afternoon
  Date.parse('2024-11-03T12:00:00Z'), // fall back day
  Date.parse('2023-03-12T06:30:00Z'), // 01:30 EST, before clocks go forward
  Date.parse('2024-01-01T04:59:00Z'), // 23:59 on New Year's Eve in New York, 2024 in UTC
  Date.parse('2024-06-15T15:00:00Z'),
  Date.parse('2023-11-05T05:30:00Z'), // 01:30 EDT, the first of the repeated hour
];

/** Rolling windows as written, with the same window as a Postgres interval. */
const WINDOWS: readonly [string, string][] = [
  ['7d', '7 days'],
  ['2 weeks', '14 days'],
  ['3 MONTH', '3 months'],
  ['1 Month', '1 month'],
  ['30 days', '30 days'],
  ['1 quarter', '3 months'],
  ['1w', '7 days'],
];

/** Absolute [gte, lt) ranges: mostly day- and month-aligned wall dates, some written with offsets, several across DST changes. */
const ABSOLUTE: readonly [string, string][] = [
  ['2024-03-01', '2024-04-01'],
  ['2023-10-15', '2023-11-20'],
  ['2024-02-01', '2024-05-01'],
  ['2023-03-05', '2023-03-19'],
  ['2024-10-28T00:00:00-04:00', '2024-11-11T00:00:00-05:00'],
  ['2024-01-01T05:00:00Z', '2024-07-01T04:00:00Z'],
  ['2023-06-01', '2023-09-01'],
  ['2024-07-04', '2024-08-19'],
  ['2023-12-25', '2024-01-08'],
  // Sub-day bounds: PREVIOUS_PERIOD shifts by the duration in wall time (48 hours across the fall-back night too).
  ['2024-06-03T08:00:00', '2024-06-05T20:00:00'],
  ['2024-11-02T12:00:00', '2024-11-04T12:00:00'],
];
/** Short ranges for HOUR buckets: the DST days. */
const HOUR_ABSOLUTE: readonly [string, string][] = [
  ['2024-03-09', '2024-03-11'],
  ['2024-11-02', '2024-11-04'],
  ['2023-03-12', '2023-03-13'],
  ['2023-11-05', '2023-11-06'],
];

export function randomAnalyticsQuery(rand: () => number, id: number): AnalyticsSpec {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const chance = (p: number) => rand() < p;
  const some = <T>(items: readonly T[], p: number, min = 0) => {
    const chosen = items.filter(() => chance(p));
    while (chosen.length < min) {
      const extra = pick(items);
      if (!chosen.includes(extra)) chosen.push(extra);
    }
    return chosen;
  };
  const features: string[] = [];
  const nowMs = pick(CLOCKS);

  const keys = some<Key>(['region', 'channel'], 0.4);
  const hasTime = chance(0.88);
  const grainName = hasTime ? pick(['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'fiscalQuarter', 'fortnight', 'fiscalQuarter', 'fortnight', 'MONTH', 'HOUR']) : null;
  const grain = grainName ? GRAINS[grainName]! : null;
  if (grain?.custom) features.push('custom granularity');

  // The range: HOUR buckets get a short one; fine buckets always get one (answers stay small).
  let range: RangeSpec | null = null;
  if (grainName === 'HOUR') {
    range = chance(0.5) ? { kind: 'relative', relative: relative(pick, chance, ['today', 'yesterday']) } : absolute(pick(HOUR_ABSOLUTE));
  } else if (chance(0.85) || grainName === 'DAY' || grainName === 'WEEK' || grainName === 'fortnight') {
    range = chance(0.6) ? { kind: 'relative', relative: relative(pick, chance) } : absolute(pick(ABSOLUTE));
  }
  if (range) features.push(range.kind === 'relative' ? 'relative range' : 'absolute range');

  const fill: Fill | null = grain && chance(0.35) ? pick(['ZERO', 'NULL', 'PREVIOUS'] as const) : null;
  if (fill) features.push('fill');
  const time = grain ? { alias: 't', grain, fill } : null;

  const compare = range && chance(0.45) ? pick(['PREVIOUS_PERIOD', 'PREVIOUS_YEAR'] as const) : null;
  if (compare) features.push('compare');

  const measures = some(ANALYTICS_MEASURES, 0.3, 1).slice(0, 3);
  const rolling = time && chance(0.5)
    ? some(ANALYTICS_MEASURES, 0.2, 1).slice(0, 2).map((measure, i) => {
        const [window, interval] = pick(WINDOWS);
        return { alias: `r${i}`, measure, window, interval };
      })
    : [];
  if (rolling.length) features.push('rolling');
  const previous = compare ? some(ANALYTICS_MEASURES, 0.25, 1).slice(0, 2) : [];

  const calcs: CalcSpec[] = [];
  const addCalc = (c: Omit<CalcSpec, 'alias'>) => calcs.push({ ...c, alias: `c${calcs.length}` });
  if (chance(0.35)) {
    const m = pick<Measure>(['revenue', 'orders', 'qtyCount']);
    addCalc({ kind: 'share', measure: m, expr: `${m} / total(${m})` });
  }
  if (chance(0.3)) {
    const dims: (Key | 'ts')[] = [...keys, ...(time ? ['ts' as const] : [])];
    if (dims.length) {
      const d = pick(dims);
      const m = pick<Measure>(['revenue', 'orders', 'maxAmount']);
      addCalc({ kind: 'parentShare', measure: m, parentDim: d, expr: `${m} / parent(${m}, ${d})` });
    }
  }
  if (chance(0.1)) addCalc({ kind: 'total', measure: 'avgPrice', expr: 'total(avgPrice)' });
  if (compare && chance(0.6)) {
    const m = pick<Measure>(['revenue', 'orders', 'avgPrice']);
    if (chance(0.5)) addCalc({ kind: 'growth', measure: m, expr: `${m} / previous.${m} - 1` });
    else addCalc({ kind: 'delta', measure: m, expr: `${m} - previous.${m}` });
  }
  if (calcs.some((c) => c.kind === 'share' || c.kind === 'parentShare' || c.kind === 'total')) features.push('total/parent');
  if (calcs.some((c) => c.kind === 'growth' || c.kind === 'delta')) features.push('previous in calc');

  let filters: Record<string, unknown> = {};
  if (chance(0.4)) {
    filters = pick<Record<string, unknown>>([
      { region: { in: ['North', 'East', 'Central'] } },
      { region: { isNull: false } },
      { region: { isNull: true } },
      { channel: { eq: 'web' } },
      { channel: { ne: 'partner' } },
      { region: { ne: 'South' }, channel: { in: ['store', 'web'] } },
      { OR: [{ region: { eq: 'West' } }, { channel: { eq: 'partner' } }] },
    ]);
    features.push('other filter');
  }
  if (keys.length) features.push('other dimension');

  const having = chance(0.1) ? { measure: measures[0]!, op: pick(['gt', 'lt'] as const), value: pick([0, 5, 50, 500]) } : null;
  const orderBy: { field: string; dir: 'ASC' | 'DESC' }[] = [];
  if (chance(0.3)) orderBy.push({ field: pick([...measures, ...(time ? ['ts'] : []), ...keys]), dir: pick(['ASC', 'DESC'] as const) });
  const limit = chance(0.3) ? pick([3, 10, 50]) : null;
  if (orderBy.length || limit !== null) features.push('order/limit');

  const where: Record<string, unknown> = { ...filters };
  if (range?.kind === 'relative') where.ts = { inRange: range.relative.text };
  else if (range) where.ts = { gte: range.gte, lt: range.lt };

  const fields = [
    ...keys,
    ...(time ? [`t: ts(granularity: ${time.grain.name}${time.fill ? `, fill: ${time.fill}` : ''})`] : []),
    ...measures,
    ...rolling.map((r) => `${r.alias}: ${r.measure}(rolling: ${JSON.stringify(r.window)})`),
    ...(previous.length ? [`previous { ${previous.join(' ')} }`] : []),
    ...calcs.map((c) => `${c.alias}: calc(expr: ${JSON.stringify(c.expr)})`),
  ];
  const args = ['where: $where', 'having: $having', 'orderBy: $orderBy', 'limit: $limit', ...(compare ? [`compare: { to: ${compare} }`] : [])];
  const graphql = `query A($where: FactsWhere, $having: FactsHaving, $orderBy: [FactsOrderBy!], $limit: Int) {
  facts(${args.join(', ')}) {
    rows { ${fields.join(' ')} }
    meta { cache ranges { field expression from to } }
  }
}`;
  const variables = {
    where,
    having: having ? { [having.measure]: { [having.op]: having.value } } : null,
    orderBy: orderBy.map((o) => ({ [o.field]: o.dir })),
    limit,
  };
  return { id, nowMs, keys, time, measures, rolling, compare, previous, calcs, range, filters, having, orderBy, limit, features, graphql, variables };
}

function absolute([gte, lt]: readonly [string, string]): RangeSpec {
  return { kind: 'absolute', gte, lt };
}

/** A relative range in one of the spec's forms, written with random case and extra spaces. */
function relative(pick: <T>(items: readonly T[]) => T, chance: (p: number) => boolean, only?: readonly string[]): RelativeRange {
  const scramble = (text: string) => {
    let out = text.split(' ').map((w) => (chance(0.3) ? w.toUpperCase() : chance(0.3) ? w[0]!.toUpperCase() + w.slice(1) : w)).join(chance(0.3) ? '  ' : ' ');
    if (chance(0.2)) out = ` ${out} `;
    return out;
  };
  const form = pick(only ?? ['today', 'yesterday', 'this', 'last', 'lastN', 'lastN', 'lastN', 'year to date', 'month to date', 'this', 'last']);
  if (form === 'this' || form === 'last') {
    const unit = pick(['week', 'month', 'quarter', 'year'] as const);
    return { form, unit, text: scramble(`${form} ${unit}`) };
  }
  if (form === 'lastN') {
    const unit = pick(['day', 'week', 'month'] as const);
    const n = pick(unit === 'day' ? [1, 7, 30, 45] : unit === 'week' ? [1, 2, 6] : [1, 3, 6]);
    const word = n === 1 && chance(0.5) ? unit : `${unit}s`;
    return { form, n, unit, text: scramble(`last ${n} ${word}`) };
  }
  return { form: form as 'today', text: scramble(form) };
}
