/**
 * The analytics differential suite's reference (issue 14): for a random spec
 * (test/randomAnalyticsQuery.ts), the answer written as Postgres SQL here, independently of
 * the planner and server/analytics/, from the semantics in docs/DESIGN.md "Analytics":
 * buckets with date_trunc on wall time (custom ones by interval arithmetic from the
 * origin), rolling values with window functions over hourly aggregates (an anchor row at
 * each bucket's end, frame [end - window, end)), `previous` with a self-join on the shifted
 * bucket ranges, fill with generate_series over the buckets crossed with the series,
 * total()/parent() with grouped subqueries. Relative ranges are resolved here too, from the
 * fixed clock, with the calendar written in SQL.
 */
import type pg from 'pg';
import { DIFF_ZONE } from './differentialFixture.ts';
import { referenceFilterSql } from './support/referenceFilterSql.ts';
import type { AnalyticsSpec, Grain, Measure, RangeSpec, RelativeRange } from './randomAnalyticsQuery.ts';

const Z = DIFF_ZONE;
const ISO = `'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'`;
const WALL = `'YYYY-MM-DD HH24:MI:SS'`;

export type Row = Record<string, unknown>;

/** A range [from, to): wall bounds (`2024-03-10 00:00:00`) and the instants as ISO-8601 with the zone's offset. */
export interface ResolvedBounds {
  readonly fromWall: string;
  readonly toWall: string;
  readonly fromIso: string;
  readonly toIso: string;
}

const unitInterval = (unit: string) => (unit === 'week' ? '7 days' : unit === 'quarter' ? '3 months' : `1 ${unit}`);

/** [from, to) of a relative form as SQL over `n`, the wall time of now. */
function relativeSql(r: RelativeRange): [string, string] {
  const day = `date_trunc('day', n)`;
  switch (r.form) {
    case 'today':
      return [day, `${day} + interval '1 day'`];
    case 'yesterday':
      return [`${day} - interval '1 day'`, day];
    case 'year to date':
      return [`date_trunc('year', n)`, `${day} + interval '1 day'`];
    case 'month to date':
      return [`date_trunc('month', n)`, `${day} + interval '1 day'`];
    case 'this':
      return [`date_trunc('${r.unit}', n)`, `date_trunc('${r.unit}', n) + interval '${unitInterval(r.unit)}'`];
    case 'last':
      return [`date_trunc('${r.unit}', n) - interval '${unitInterval(r.unit)}'`, `date_trunc('${r.unit}', n)`];
    case 'lastN': {
      const back = r.unit === 'week' ? `${7 * (r.n - 1)} days` : `${r.n - 1} ${r.unit}s`;
      return [`date_trunc('${r.unit}', n) - interval '${back}'`, `date_trunc('${r.unit}', n) + interval '${unitInterval(r.unit)}'`];
    }
  }
}

/** The range's bounds, resolved by Postgres at `nowMs` (relative) or read as the filter reads them (absolute). */
export async function resolveBounds(client: pg.Client, range: RangeSpec, nowMs: number): Promise<ResolvedBounds> {
  let sql: string;
  let params: unknown[];
  if (range.kind === 'relative') {
    const [from, to] = relativeSql(range.relative);
    sql = `select ${from} as f, ${to} as t from (select $1::timestamptz at time zone '${Z}' as n) now_wall`;
    params = [new Date(nowMs).toISOString()];
  } else {
    const instant = (i: number, v: string) => (/(Z|[+-]\d\d:\d\d)$/.test(v) ? `$${i}::timestamptz` : `($${i}::timestamp at time zone '${Z}')`);
    sql = `select ${instant(1, range.gte)} at time zone '${Z}' as f, ${instant(2, range.lt)} at time zone '${Z}' as t`;
    params = [range.gte, range.lt];
  }
  const { rows } = await client.query(
    `select to_char(f, ${WALL}) as "fromWall", to_char(t, ${WALL}) as "toWall",
            to_char(f at time zone '${Z}', ${ISO}) as "fromIso", to_char(t at time zone '${Z}', ${ISO}) as "toIso"
     from (${sql}) bounds`,
    params,
  );
  return rows[0] as ResolvedBounds;
}

/** The compare shift of the spec as a Postgres interval: 12 months; months, days or the duration of R. */
export function shiftInterval(compare: 'PREVIOUS_PERIOD' | 'PREVIOUS_YEAR', r: ResolvedBounds): string {
  if (compare === 'PREVIOUS_YEAR') return '12 months';
  const parse = (w: string) => w.match(/^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/)!.slice(1).map(Number);
  const [f, t] = [parse(r.fromWall), parse(r.toWall)];
  const monthStart = (x: number[]) => x[2] === 1 && x[3] === 0 && x[4] === 0 && x[5] === 0;
  const dayStart = (x: number[]) => x[3] === 0 && x[4] === 0 && x[5] === 0;
  const ms = (x: number[]) => Date.UTC(x[0]!, x[1]! - 1, x[2]!, x[3]!, x[4]!, x[5]!);
  if (monthStart(f) && monthStart(t)) return `${t[0]! * 12 + t[1]! - (f[0]! * 12 + f[1]!)} months`;
  if (dayStart(f) && dayStart(t)) return `${(ms(t) - ms(f)) / 86_400_000} days`;
  return `${ms(t) - ms(f)} milliseconds`;
}

/** The bucket of wall timestamp `x` and the bucket length. */
export function bucketSql(grain: Grain, x: string): { bucket: string; step: string } {
  if (grain.unit) return { bucket: `date_trunc('${grain.unit}', ${x})`, step: unitInterval(grain.unit) };
  const c = grain.custom!;
  const origin = `timestamp '${c.origin}'`;
  if (c.days) {
    return { bucket: `(${origin} + floor(extract(epoch from (${x}) - ${origin}) / ${c.days * 86_400}) * interval '${c.days} days')`, step: `${c.days} days` };
  }
  const [oy, om] = c.origin.split('-').map(Number) as [number, number];
  const months = `((extract(year from ${x}) * 12 + extract(month from ${x})) - ${oy * 12 + om})`;
  return { bucket: `(${origin} + floor(${months} / ${c.months}) * ${c.months} * interval '1 month')`, step: `${c.months} months` };
}

/** Each measure over the rows of table alias `x` (counts count a non-null column, so they are 0 across an empty left join). */
const AGG: Record<Measure, (x: string) => string> = {
  revenue: (x) => `sum(${x}.amount)`,
  orders: (x) => `count(${x}.ts)`,
  qtyCount: (x) => `count(${x}.qty)`,
  avgPrice: (x) => `avg(${x}.price)`,
  maxAmount: (x) => `max(${x}.amount)`,
  minAmount: (x) => `min(${x}.amount)`,
};

/** A rolling measure over hourly partial aggregates: `over` is a window (` over w0`) or empty (a plain aggregate). */
const ROLLING: Record<Measure, (over: string) => string> = {
  revenue: (o) => `sum(s_amount)${o}`,
  orders: (o) => `coalesce(sum(c_all)${o}, 0)`,
  qtyCount: (o) => `coalesce(sum(c_qty)${o}, 0)`,
  avgPrice: (o) => `sum(s_price)${o} / nullif(sum(c_price)${o}, 0)`,
  maxAmount: (o) => `max(x_amount)${o}`,
  minAmount: (o) => `min(n_amount)${o}`,
};

/**
 * A wall timestamp as formatWall prints it: the wall clock and the offset `wall - instant`,
 * where the instant is Postgres' reading of the wall time in the zone. Equal to to_char of
 * the instant except for wall times that do not exist (the hour skipped in spring, which
 * fill can produce at HOUR): that hour keeps its clock time and the offset before the change.
 */
export function formatWallSql(x: string): string {
  const off = `(round((extract(epoch from ${x}) - extract(epoch from (${x}) at time zone '${Z}')) / 60)::int)`;
  return `(to_char(${x}, 'YYYY-MM-DD"T"HH24:MI:SS') || case when ${off} < 0 then '-' else '+' end || lpad((abs(${off}) / 60)::text, 2, '0') || ':' || lpad((abs(${off}) % 60)::text, 2, '0'))`;
}

const { whereSql } = referenceFilterSql({
  column: (field) => field,
  type: (field) => (field === 'ts' ? 'time' : 'string'),
  measure: () => {
    throw new Error('no having here');
  },
  zone: Z,
});

/** The expected rows of a spec, in the contract's order, shaped as the GraphQL answer. */
export async function expectedAnswer(client: pg.Client, schema: string, spec: AnalyticsSpec, bounds: ResolvedBounds | null): Promise<Row[]> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const keys = spec.keys;
  const time = spec.time;
  const grain = time ? bucketSql(time.grain, 'w') : null;
  const needed = new Set<Measure>([...spec.measures]);
  if (spec.having) needed.add(spec.having.measure);
  for (const c of spec.calcs) if (c.kind !== 'total') needed.add(c.measure);
  for (const o of spec.orderBy) if (!['ts', ...keys].includes(o.field)) needed.add(o.field as Measure);
  const M = [...needed];
  const match = (a: string, b: string, withBucket = true) => {
    const parts = keys.map((k) => `${a}.${k} is not distinct from ${b}.${k}`);
    if (time && withBucket) parts.push(`${a}.b = ${b}.b`);
    return parts.length ? parts.join(' and ') : 'true';
  };
  const cols = (x: string) => keys.map((k) => `${x}.${k}`);
  const groupBy = (list: string[]) => (list.length ? ` group by ${list.join(', ')}` : '');
  const ctes: string[] = [];

  const filterSql = Object.keys(spec.filters).length ? whereSql(spec.filters, p) : 'true';
  ctes.push(`base as (select region, channel, amount, qty, price, ts, ts at time zone '${Z}' as w from ${schema}.facts where ${filterSql})`);
  ctes.push(`inr as (select * from base${bounds ? ` where ts >= ${p(bounds.fromIso)}::timestamptz and ts < ${p(bounds.toIso)}::timestamptz` : ''})`);
  ctes.push(
    `g as (select ${[...cols('i'), ...(time ? [`${bucketSql(time.grain, 'i.w').bucket} as b`] : []), ...M.map((m) => `${AGG[m]('i')} as m_${m}`), 'count(*) as n'].join(', ')}
       from inr i${groupBy([...cols('i'), ...(grain ? ['b'] : [])])})`,
  );

  // The rows: the groups, or with fill every bucket of the range for each series.
  if (time?.fill) {
    const b = (x: string) => bucketSql(time.grain, x).bucket;
    const lo = bounds ? b(`${p(bounds.fromWall)}::timestamp`) : '(select min(b) from g)';
    const hi = bounds ? b(`(${p(bounds.toWall)}::timestamp - interval '1 millisecond')`) : '(select max(b) from g)';
    ctes.push(`series as (${keys.length ? `select distinct ${keys.join(', ')} from g` : 'select 1 as one'})`);
    ctes.push(`grid as (select ${[...cols('s'), 'k.b'].join(', ')} from series s cross join (select generate_series(${lo}, ${hi}, interval '${grain!.step}') as b) k)`);
    ctes.push(`joined as (select ${[...cols('grid'), 'grid.b', 'g.n is not null as present', ...M.map((m) => `g.m_${m}`)].join(', ')} from grid left join g on ${match('grid', 'g')})`);
    if (time.fill === 'PREVIOUS') {
      const partition = keys.length ? `partition by ${keys.join(', ')} ` : '';
      ctes.push(`numbered as (select *, count(case when present then 1 end) over (${partition}order by b) as grp from joined)`);
      ctes.push(`rowsq as (select ${[...keys, 'b', 'present', ...M.map((m) => `max(m_${m}) over (partition by ${[...keys, 'grp'].join(', ')}) as m_${m}`)].join(', ')} from numbered)`);
    } else {
      const value = (m: Measure) => (time.fill === 'ZERO' ? `case when present then m_${m} else 0 end as m_${m}` : `m_${m}`);
      ctes.push(`rowsq as (select ${[...keys, 'b', 'present', ...M.map(value)].join(', ')} from joined)`);
    }
  } else {
    ctes.push(`rowsq as (select *, true as present from g)`);
  }

  const joins: string[] = [];
  const select: string[] = [...cols('r').map((c, i) => `${c} as "${keys[i]}"`)];
  if (time) select.push(`${formatWallSql('r.b')} as "${time.alias}"`);
  select.push(...spec.measures.map((m) => `r.m_${m}::float8 as "${m}"`));

  // Rolling: hourly partial aggregates of every row passing the other filters (the range does
  // not limit the window). Windows of whole days: a window function over them plus an anchor
  // row at each shown bucket's end, the frame (window - 1 microsecond) preceding keeping hour
  // ends in (end - window, end], i.e. hours in [end - window, end). Windows of months: a
  // lateral join on [end - window, end), since Postgres' RANGE frame checks `he + offset >= end`,
  // which is not `he >= end - offset` when months clamp (2023-07-31 - 3 months = 2023-04-30,
  // but 2023-04-30 + 3 months = 2023-07-30).
  if (spec.rolling.length) {
    const k = keys.join(', ');
    const step = grain!.step;
    ctes.push(`hourly as (select ${[...keys, `date_trunc('hour', w) + interval '1 hour' as he`, 'false as anchor', 'sum(amount) as s_amount', 'count(*) as c_all', 'count(qty) as c_qty', 'sum(price) as s_price', 'count(price) as c_price', 'max(amount) as x_amount', 'min(amount) as n_amount'].join(', ')}
      from base${groupBy([...keys, 'he'])})`);
    const byDays = spec.rolling.map((ro, i) => ({ ...ro, i })).filter((ro) => ro.interval.endsWith('days'));
    if (byDays.length) {
      ctes.push(`u as (select * from hourly union all select ${[...cols('r'), `r.b + interval '${step}'`, 'true', 'null::numeric', 'null::bigint', 'null::bigint', 'null::numeric', 'null::bigint', 'null::numeric', 'null::numeric'].join(', ')} from rowsq r)`);
      const windows = byDays.map((ro) => `w${ro.i} as (${k ? `partition by ${k} ` : ''}order by he range between (interval '${ro.interval}' - interval '1 microsecond') preceding and current row)`);
      ctes.push(`win as (select ${[...keys, 'he', 'anchor', ...byDays.map((ro) => `${ROLLING[ro.measure](` over w${ro.i}`)} as r${ro.i}`)].join(', ')} from u window ${windows.join(', ')})`);
      joins.push(`left join win on win.anchor and win.he = r.b + interval '${step}'${keys.map((kk) => ` and win.${kk} is not distinct from r.${kk}`).join('')}`);
    }
    spec.rolling.forEach((ro, i) => {
      if (ro.interval.endsWith('days')) {
        select.push(`win.r${i}::float8 as "${ro.alias}"`);
        return;
      }
      const end = `(r.b + interval '${step}')`;
      const on = [...keys.map((kk) => `h.${kk} is not distinct from r.${kk}`), `h.he > ${end} - interval '${ro.interval}'`, `h.he <= ${end}`];
      joins.push(`left join lateral (select ${ROLLING[ro.measure]('')} as v from hourly h where ${on.join(' and ')}) roll${i} on true`);
      select.push(`roll${i}.v::float8 as "${ro.alias}"`);
    });
  }

  // previous: a self-join on the bucket shifted by the compare interval, within R_prev.
  const PM = [...new Set<Measure>([...spec.previous, ...spec.calcs.filter((c) => c.kind === 'growth' || c.kind === 'delta').map((c) => c.measure)])];
  if (spec.compare) {
    const sh = shiftInterval(spec.compare, bounds!);
    const pf = `(${p(bounds!.fromWall)}::timestamp - interval '${sh}')`;
    const pt = `(${p(bounds!.toWall)}::timestamp - interval '${sh}')`;
    const aggs = ['count(f.ts) as pn', ...PM.map((m) => `${AGG[m]('f')} as pv_${m}`)];
    if (time) {
      ctes.push(`prev as (select ${[...cols('r'), 'r.b', ...aggs].join(', ')} from rowsq r left join base f on ${[
        ...keys.map((kk) => `f.${kk} is not distinct from r.${kk}`),
        `f.w >= greatest(r.b - interval '${sh}', ${pf})`,
        `f.w < least(r.b + interval '${grain!.step}' - interval '${sh}', ${pt})`,
      ].join(' and ')}${groupBy([...cols('r'), 'r.b'])})`);
    } else {
      ctes.push(`prev as (select ${[...cols('f'), ...aggs].join(', ')} from base f where f.w >= ${pf} and f.w < ${pt}${groupBy(cols('f'))})`);
    }
    joins.push(`left join prev pv on ${match('pv', 'r')}`);
    select.push('coalesce(pv.pn, 0) > 0 as "_hasPrevious"', ...PM.map((m) => `pv.pv_${m}::float8 as "_pv_${m}"`));
  }
  const PV = (m: Measure) => `(case when coalesce(pv.pn, 0) > 0 then pv.pv_${m}::float8 end)`;

  // total() and parent(): grouped subqueries over the rows passing where.
  const TM = [...new Set(spec.calcs.filter((c) => c.kind === 'share' || c.kind === 'total').map((c) => c.measure))];
  if (TM.length) {
    ctes.push(`tot as (select ${TM.map((m) => `${AGG[m]('i')} as t_${m}`).join(', ')} from inr i)`);
    joins.push('cross join tot');
  }
  spec.calcs.forEach((c, i) => {
    if (c.kind !== 'parentShare') return;
    const d = c.parentDim!;
    const on = d === 'ts' ? `${bucketSql(time!.grain, 'i.w').bucket}` : `i.${d}`;
    ctes.push(`par${i} as (select ${on} as d, ${AGG[c.measure]('i')} as v from inr i group by 1)`);
    joins.push(`left join par${i} on par${i}.d ${d === 'ts' ? '= r.b' : `is not distinct from r.${d}`}`);
  });
  for (const c of spec.calcs) {
    const m = `r.m_${c.measure}::float8`;
    const sql = {
      share: () => `${m} / nullif(tot.t_${c.measure}::float8, 0)`,
      total: () => `tot.t_${c.measure}::float8`,
      parentShare: () => `${m} / nullif(par${spec.calcs.indexOf(c)}.v::float8, 0)`,
      growth: () => `${m} / nullif(${PV(c.measure)}, 0) - 1`,
      delta: () => `${m} - ${PV(c.measure)}`,
    }[c.kind]();
    select.push(`(${sql})::float8 as "${c.alias}"`);
  }

  let sql = `with ${ctes.join(',\n')}\nselect ${select.join(', ')} from rowsq r ${joins.join(' ')}`;
  if (spec.having) sql += ` where r.m_${spec.having.measure} ${spec.having.op === 'gt' ? '>' : '<'} ${p(spec.having.value)}::numeric`;
  // The contract's order: the requested keys, then every other dimension ascending by plan key.
  const dimSql = (f: string) => (f === 'ts' ? 'r.b' : `r.${f}`);
  const order = spec.orderBy.map((o) => `${['ts', ...keys].includes(o.field) ? dimSql(o.field) : `r.m_${o.field}`} ${o.dir} nulls last`);
  const rest = [...keys, ...(time ? ['ts'] : [])].filter((d) => !spec.orderBy.some((o) => o.field === d)).sort();
  order.push(...rest.map((d) => `${dimSql(d)} asc nulls last`));
  if (order.length) sql += ` order by ${order.join(', ')}`;
  sql += ` limit ${spec.limit ?? 1000}`;

  let rows: Row[];
  try {
    rows = (await client.query(sql, params)).rows;
  } catch (error) {
    throw new Error(`reference SQL failed: ${(error as Error).message}\n${sql}\n${JSON.stringify(params)}`);
  }
  return rows.map((row) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) if (!k.startsWith('_')) out[k] = v;
    if (spec.previous.length) out.previous = row._hasPrevious ? Object.fromEntries(spec.previous.map((m) => [m, row[`_pv_${m}`]])) : null;
    return out;
  });
}
