import { badInput, limitExceeded } from '../../errors/index.ts';
import {
  analyticsReferences,
  checkExpression,
  filterFields,
  formatInstant,
  formatWall,
  havingToFilter,
  normalizeFilter,
  parentKey,
  parseExpression,
  PREVIOUS_KEY,
  previousRefKey,
  referencedNames,
  resolveRelativeRanges,
  rollingKey,
  totalKey,
  wallToInstant,
  type DatasetRequest,
  type Expression,
  type OrderKey,
  type RequestedDimension,
} from '../../planner/index.ts';
import type { DatasetConfig, Granularity } from '../../schema/index.ts';
import type { AnswerOptions, DatasetAnswer } from '../../server/gateway.ts';
import { compareRowsBy } from '../../values/index.ts';
import { attachCalcs, type Calculable } from '../calcRows.ts';
import type { RequestContext } from '../RequestContext.ts';
import type { ResultRow } from '../tableToRows.ts';
import { addSpan, alignmentOf, bucketingOf, bucketOf, coreOfBucketing, coreOfSpan, finest, type Bucketing, type Span } from './calendar.ts';
import { compareShift } from './compareShift.ts';
import { havingHolds } from './evaluateHaving.ts';
import { Leaves, measureLeaves } from './Leaves.ts';
import { parseRolling } from './parseRolling.ts';
import { readCore, type CorePoint } from './readCore.ts';
import { splitTimeRange, whereWithRanges, type TimeRange } from './timeRange.ts';

/** What the dataset's Query field returns for an analytics request: rows and totals ready for the row types, and meta. */
export interface AnalyticsAnswer {
  readonly rows: Calculable[];
  readonly totals: Calculable;
  readonly meta: DatasetAnswer['meta'];
}

interface Group {
  readonly series: string;
  readonly dims: readonly (string | number | boolean | null)[];
  /** The row's time bucket; null without a time dimension in the rows. */
  readonly bucket: { readonly start: number; readonly end: number } | null;
  readonly leaves: Leaves;
  filled: boolean;
}

/**
 * Answers a dataset query that asks for compare, rolling measures, `previous`, gap filling,
 * a custom granularity, or total()/parent()/previous.x in calc (docs/DESIGN.md "Analytics").
 *
 * One core request goes through the gateway (so the cache answers it: HIT, DERIVED from a
 * bigger core, or one source query): the selected dimensions, the time dimension at the
 * finest granularity any feature needs (day or month for calendar features, finer only for
 * sub-day buckets or bounds), every measure any feature reads, and the where with the time
 * range widened to cover rolling look-back and the compared range (one OR of ranges, so
 * both periods come in one query). Everything else is computed here over the core's groups:
 * buckets, rolling windows, previous values, totals and parents, fill, calc, having, order,
 * offset and limit.
 */
export async function answerAnalytics(ctx: RequestContext, dataset: DatasetConfig, request: DatasetRequest, options: AnswerOptions): Promise<AnalyticsAnswer> {
  const server = ctx.gateway.config.server;
  const zone = dataset.timezone;
  const resolved = resolveRelativeRanges(request.where, dataset, ctx.gateway.now());
  const rows = request.rows ?? { dimensions: [], measures: [], calcs: [] };
  const timeDims = rows.dimensions.filter((d) => dataset.dimensions[d.name]?.type === 'time');
  if (new Set(timeDims.map((d) => `${d.name}/${d.custom ?? d.granularity}`)).size > 1) {
    throw badInput('rows: compare, rolling, fill, custom granularities and total/parent take at most one time dimension bucket in rows; select one');
  }
  const time: RequestedDimension | null = timeDims[0] ?? null;
  const fill = timeDims.find((d) => d.fill)?.fill ?? null;
  const others = [...new Set(rows.dimensions.filter((d) => dataset.dimensions[d.name]?.type !== 'time').map((d) => d.name))].sort();
  for (const name of others) if (!dataset.dimensions[name]) throw badInput(`unknown dimension "${name}" in dataset ${dataset.name}`);

  // Calcs, with the analytics values they read.
  const calcs = new Map<string, Expression>();
  const measureNames = new Set<string>([...rows.measures, ...(request.totals?.measures ?? [])]);
  const totalsWanted = new Set<string>();
  const parents = new Map<string, { measure: string; dimensions: readonly string[] }>();
  const previousWanted = new Set<string>(rows.previous ?? []);
  const selectedDims = new Set(rows.dimensions.map((d) => d.name));
  for (const text of [...rows.calcs, ...(request.totals?.calcs ?? [])]) {
    if (calcs.has(text)) continue;
    const expr = parseExpression(text, { label: 'calc', analytics: true });
    checkExpression(expr, {
      label: 'calc',
      known: Object.keys(dataset.measures),
      source: text,
      analytics: { measures: Object.keys(dataset.measures), dimensions: Object.keys(dataset.dimensions) },
    });
    calcs.set(text, expr);
    for (const name of referencedNames(expr)) measureNames.add(name);
    const refs = analyticsReferences(expr);
    for (const m of refs.totals) totalsWanted.add(m);
    for (const m of refs.previous) previousWanted.add(m);
    for (const p of refs.parents) {
      const missing = p.dimensions.filter((d) => !selectedDims.has(d));
      if (missing.length > 0) throw badInput(`calc ${JSON.stringify(text)}: parent() groups by dimensions of the rows; select ${missing.join(', ')} in rows`);
      parents.set(parentKey(p.measure, p.dimensions), p);
    }
  }
  for (const m of [...totalsWanted, ...previousWanted, ...[...parents.values()].map((p) => p.measure)]) measureNames.add(m);
  const rolling = (rows.rolling ?? []).map((r) => {
    if (!time) throw badInput(`${r.measure}(rolling: ${JSON.stringify(r.window)}): a rolling window needs a time dimension in rows; select one`);
    if (dataset.measures[r.measure]?.aggregation === 'countDistinct') throw badInput(`${r.measure}(rolling:): a distinct count does not add up across buckets; rolling takes sum, count, min, max or avg measures`);
    measureNames.add(r.measure);
    return { ...r, span: parseRolling(r.window, r.measure), key: rollingKey(r.measure, r.window) };
  });
  const having = normalizeFilter(havingToFilter(request.having, dataset, server));
  for (const f of filterFields(having)) measureNames.add(f);
  for (const entry of request.orderBy ?? []) for (const k of Object.keys(entry)) if (dataset.measures[k]) measureNames.add(k);
  for (const m of measureNames) if (!dataset.measures[m]) throw badInput(`unknown measure "${m}" in dataset ${dataset.name}`);

  // The time range of where, and the compared one.
  const split = splitTimeRange(resolved.where, dataset, time?.name);
  const range = split.range;
  let previousRange: { from: number; to: number } | null = null;
  let shift: Span | null = null;
  if (request.compare) {
    if (!range || range.from === null || range.to === null) {
      throw badInput(`compare: needs a time range in where (inRange, or gte and lt on ${time?.name ?? 'a time dimension'})`);
    }
    shift = compareShift({ from: range.from, to: range.to }, request.compare.to);
    previousRange = { from: addSpan(range.from, shift, -1), to: addSpan(range.to, shift, -1) };
  }
  if (previousWanted.size > 0 && !shift) throw badInput('previous: needs compare: { to: PREVIOUS_PERIOD | PREVIOUS_YEAR } on the query');

  // The core: which time granularity, which ranges.
  const bucketing: Bucketing | null = time ? bucketingOf(time, dataset) : null;
  const timeField = time?.name ?? range?.field ?? null;
  const coreHasTime = bucketing !== null || shift !== null;
  const grains: Granularity[] = [];
  if (bucketing) grains.push(coreOfBucketing(bucketing));
  for (const r of rolling) grains.push(coreOfSpan(r.span));
  for (const bound of [range?.from, range?.to, previousRange?.from, previousRange?.to]) if (bound != null && coreHasTime) grains.push(alignmentOf(bound));
  const coreGrain = finest(grains);
  const coreRanges: { from: number | null; to: number | null }[] = [];
  if (coreHasTime && range) {
    let from = range.from;
    let to = range.to;
    if (bucketing && rolling.length > 0) {
      const longest = (f: number) => Math.min(...rolling.map((r) => addSpan(f, r.span, -1)));
      if (from !== null) from = longest(bucketOf(from, bucketing).start);
      if (to !== null) to = bucketOf(to - 1, bucketing).end;
    }
    coreRanges.push({ from, to });
    if (previousRange) coreRanges.push(previousRange);
  }
  const distinct = [...measureNames].filter((m) => dataset.measures[m]!.aggregation === 'countDistinct');
  const exactGroups = !shift && rolling.length === 0 && totalsWanted.size === 0 && parents.size === 0 && fill !== 'previous' && (!bucketing || (bucketing.kind === 'builtin' && bucketing.granularity === coreGrain));
  if (distinct.length > 0 && !exactGroups) {
    throw badInput(`${distinct.join(', ')}: a distinct count does not add up across buckets or periods; leave it out of compare, rolling, total/parent and custom granularities`);
  }

  const needed = [...measureNames].sort();
  const leaves = measureLeaves(dataset, needed);
  const coreRequest: DatasetRequest = {
    dataset: dataset.name,
    rows: {
      dimensions: [...others.map((name) => ({ name, granularity: null })), ...(coreHasTime && timeField ? [{ name: timeField, granularity: coreGrain }] : [])],
      measures: needed,
      calcs: [],
    },
    totals: null,
    where: coreHasTime && timeField && range ? whereWithRanges(split.rest, timeField, coreRanges, zone) : resolved.where,
    limit: server.maxLimit,
  };
  const core = await ctx.gateway.answer(coreRequest, options);
  if (core.meta.truncated || (core.rows?.table.numRows ?? 0) >= server.maxLimit) {
    throw limitExceeded(`the query's groups before bucketing exceed server.maxLimit (${server.maxLimit}); narrow the time range or the dimensions`, { limit: 'maxLimit', max: server.maxLimit });
  }
  const points = core.rows ? readCore(core.rows.table, others, coreHasTime && timeField ? `${timeField}.${coreGrain}` : null, leaves) : [];

  // Points by series, in time order; those inside the where range.
  const inRange = (t: number) => !range || !coreHasTime || ((range.from === null || t >= range.from) && (range.to === null || t < range.to));
  const bySeries = new Map<string, CorePoint[]>();
  for (const p of points) {
    let list = bySeries.get(p.series);
    if (!list) bySeries.set(p.series, (list = []));
    list.push(p);
  }
  for (const list of bySeries.values()) list.sort((a, b) => a.t - b.t);
  const shown = points.filter((p) => inRange(p.t));

  // Groups of the answer.
  const groups = new Map<string, Group>();
  const groupOf = (series: string, dims: Group['dims'], bucket: Group['bucket']) => {
    const key = bucket ? `${series}|${bucket.start}` : series;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { series, dims, bucket, leaves: new Leaves(leaves), filled: false }));
    return g;
  };
  for (const p of shown) groupOf(p.series, p.dims, bucketing ? bucketOf(p.t, bucketing) : null).leaves.add(p.cells);
  if (fill && bucketing) fillBuckets(groups, groupOf, others.length, bucketing, range, server.maxLimit);

  /** The leaves of a series' points with time in [from, to) (points are in time order: a binary search finds the first). */
  const sumOver = (list: readonly CorePoint[], from: number, to: number): Leaves => {
    const acc = new Leaves(leaves);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.t < from) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < list.length && list[i]!.t < to; i++) acc.add(list[i]!.cells);
    return acc;
  };
  const totalLeaves = new Leaves(leaves);
  for (const p of shown) totalLeaves.add(p.cells);
  const totalValues = totalLeaves.values();
  const parentValues = new Map<string, Map<string, Record<string, number | null>>>();
  for (const [key, p] of parents) {
    const positions = p.dimensions.map((d) => (d === time?.name ? -1 : others.indexOf(d)));
    const acc = new Map<string, Leaves>();
    for (const point of shown) {
      const k = JSON.stringify(positions.map((i) => (i === -1 ? bucketOf(point.t, bucketing!).start : point.dims[i])));
      let l = acc.get(k);
      if (!l) acc.set(k, (l = new Leaves(leaves)));
      l.add(point.cells);
    }
    parentValues.set(key, new Map([...acc].map(([k, l]) => [k, l.values()])));
  }

  // Rows.
  const timeKey = time && bucketing ? `${time.name}.${bucketing.name.toLowerCase()}` : null;
  const ordered = [...groups.values()].sort((a, b) => (a.series < b.series ? -1 : a.series > b.series ? 1 : (a.bucket?.start ?? 0) - (b.bucket?.start ?? 0)));
  const built: ResultRow[] = [];
  let previousOfSeries: { series: string; values: Record<string, number | null> } | null = null;
  for (const g of ordered) {
    let values = g.leaves.values();
    if (g.filled) {
      if (fill === 'zero') values = Object.fromEntries(needed.map((m) => [m, 0]));
      else if (fill === 'null') values = Object.fromEntries(needed.map((m) => [m, null]));
      else values = previousOfSeries?.series === g.series ? { ...previousOfSeries.values } : Object.fromEntries(needed.map((m) => [m, null]));
    }
    previousOfSeries = { series: g.series, values };
    const row: Record<string, unknown> = {};
    others.forEach((name, i) => (row[name] = g.dims[i] ?? null));
    if (timeKey && g.bucket) row[timeKey] = g.bucket.start;
    for (const m of needed) row[m] = values[m] ?? null;
    const series = bySeries.get(g.series) ?? [];
    for (const r of rolling) row[r.key] = g.bucket ? (sumOver(series, addSpan(g.bucket.end, r.span, -1), g.bucket.end).values()[r.measure] ?? null) : null;
    if (shift && previousRange) {
      const from = g.bucket ? Math.max(addSpan(g.bucket.start, shift, -1), previousRange.from) : previousRange.from;
      const to = g.bucket ? Math.min(addSpan(g.bucket.end, shift, -1), previousRange.to) : previousRange.to;
      const acc = from < to ? sumOver(series, from, to) : new Leaves(leaves);
      const previous = acc.rows === 0 ? null : acc.values();
      row[PREVIOUS_KEY] = previous;
      for (const m of previousWanted) row[previousRefKey(m)] = previous?.[m] ?? null;
    }
    for (const m of totalsWanted) row[totalKey(m)] = totalValues[m] ?? null;
    for (const [key, p] of parents) {
      const k = JSON.stringify(p.dimensions.map((d) => (d === time?.name ? g.bucket!.start : g.dims[others.indexOf(d)])));
      row[key] = parentValues.get(key)!.get(k)?.[p.measure] ?? null;
    }
    built.push(row as ResultRow); // `previous` is an object: the row type's `previous` field reads it
  }

  const kept = having ? built.filter((r) => havingHolds(having, r)) : built;
  kept.sort(compareRowsBy(orderOf(request, dataset, others, timeKey)));
  const offset = request.offset ?? 0;
  const limit = request.limit ?? server.defaultLimit;
  if (offset < 0 || limit < 0) throw badInput(`${offset < 0 ? 'offset' : 'limit'}: expected 0 or more`);
  if (limit > server.maxLimit) throw limitExceeded(`limit: ${limit} is over the maximum of ${server.maxLimit}`);
  const page = kept.slice(offset, offset + limit);
  if (timeKey) for (const r of page) r[timeKey] = formatWall(r[timeKey] as number, zone);

  const totals: Calculable = { ...totalValues };
  for (const m of totalsWanted) totals[totalKey(m)] = totalValues[m] ?? null;
  const ranges = [...resolved.ranges];
  if (range && previousRange && request.compare) {
    ranges.push({
      field: range.field,
      expression: `${request.compare.to === 'previousYear' ? 'previous year' : 'previous period'} of ${printRange(range, zone)}`,
      from: formatInstant(wallToInstant(previousRange.from, zone), zone),
      to: formatInstant(wallToInstant(previousRange.to, zone), zone),
    });
  }
  return {
    rows: attachCalcs(page, calcs),
    totals: attachCalcs([totals], calcs)[0]!,
    meta: { ...core.meta, truncated: false, ranges } as DatasetAnswer['meta'],
  };
}

/** Missing buckets of each series, from the range's first bucket to its last (the data's, without a range). */
function fillBuckets(
  groups: Map<string, Group>,
  groupOf: (series: string, dims: Group['dims'], bucket: Group['bucket']) => Group,
  otherDims: number,
  bucketing: Bucketing,
  range: TimeRange | null,
  maxRows: number,
): void {
  const existing = [...groups.values()];
  const starts = existing.map((g) => g.bucket!.start);
  const first = range?.from != null ? bucketOf(range.from, bucketing).start : starts.length ? Math.min(...starts) : null;
  const last = range?.to != null ? bucketOf(range.to - 1, bucketing).start : starts.length ? Math.max(...starts) : null;
  if (first === null || last === null) return;
  const series = new Map<string, Group['dims']>();
  for (const g of existing) series.set(g.series, g.dims);
  if (otherDims === 0 && series.size === 0) series.set(JSON.stringify([]), []);
  const buckets: { start: number; end: number }[] = [];
  for (let b = bucketOf(first, bucketing); b.start <= last; b = bucketOf(b.end, bucketing)) {
    buckets.push(b);
    if (buckets.length * Math.max(1, series.size) > maxRows) {
      throw limitExceeded(`fill: more than server.maxLimit (${maxRows}) rows; narrow the time range or use a coarser granularity`, { limit: 'maxLimit', max: maxRows });
    }
  }
  for (const [key, dims] of series) {
    for (const b of buckets) {
      const had = groups.has(`${key}|${b.start}`);
      const g = groupOf(key, dims, b);
      if (!had) g.filled = true;
    }
  }
}

/** The requested order, then every dimension not yet ordered, ascending (stable pages, as the planner orders). */
function orderOf(request: DatasetRequest, dataset: DatasetConfig, others: readonly string[], timeKey: string | null): OrderKey[] {
  const order: OrderKey[] = [];
  const seen = new Set<string>();
  (request.orderBy ?? []).forEach((entry, i) => {
    const keys = Object.keys(entry).filter((k) => entry[k] != null);
    if (keys.length !== 1) throw badInput(`orderBy[${i}]: expected exactly one field per entry, such as { revenue: DESC }`);
    const field = keys[0]!;
    const direction = entry[field] === 'DESC' ? 'desc' : entry[field] === 'ASC' ? 'asc' : null;
    if (!direction) throw badInput(`orderBy[${i}].${field}: expected ASC or DESC, got ${JSON.stringify(entry[field])}`);
    const key = dataset.measures[field] ? field : others.includes(field) ? field : timeKey?.startsWith(`${field}.`) ? timeKey : null;
    if (!key) throw badInput(dataset.dimensions[field] ? `orderBy[${i}]: dimension "${field}" is not selected in rows; select it to sort by it` : `orderBy[${i}]: unknown field "${field}"`);
    if (seen.has(key)) return;
    seen.add(key);
    order.push({ target: dataset.measures[field] ? 'measure' : 'dimension', field: key, direction });
  });
  for (const key of [...others, ...(timeKey ? [timeKey] : [])].sort()) if (!seen.has(key)) order.push({ target: 'dimension', field: key, direction: 'asc' });
  return order;
}

function printRange(range: TimeRange, zone: string): string {
  const at = (wall: number | null) => (wall === null ? '…' : formatInstant(wallToInstant(wall, zone), zone));
  return `[${at(range.from)}, ${at(range.to)})`;
}
