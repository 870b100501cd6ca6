import { badInput, limitExceeded } from '../errors/index.ts';
import { referencedNames } from '../planner/index.ts';
import type { Config, StreamConfig, StreamHistoryField } from '../schema/index.ts';
import type { AnswerOptions } from '../server/gateway.ts';
import type { WindowSpec } from '../subscriptions/index.ts';
import { cutSum } from '../values/index.ts';
import { answerRows, CALCS, resolveCalc, type Calculable } from './calcRows.ts';
import type { RequestContext } from './RequestContext.ts';
import type { ResultRow } from './tableToRows.ts';

/**
 * History fields of stream rows (`streams.<s>.history`): values read from the stream's
 * landing dataset for the row's key, the same window `offset` earlier or the
 * `previousWindows` windows before it.
 *
 * A window version's payload starts its history queries when it is built: one query per
 * distinct range (fields of one range share it, each adding its measure), all groups of the
 * range grouped by the subscription's dimensions, through `gateway.answer` and so the result
 * cache (the versions of an open window ask the same ranges: hits). Each row then carries a
 * promise of its own values under HISTORY; the fields (and calcs naming them) await it, so a
 * failed query is an error of those fields only and the stream goes on.
 */
export const HISTORY = Symbol('history');
type Values = Readonly<Record<string, number | null>>;
export type HistoryRow = Calculable & { [HISTORY]?: Promise<Values> };

/** History fields that read the same range of windows: one query. */
export interface HistoryRange {
  readonly key: string;
  readonly fields: readonly StreamHistoryField[];
  /** [from, to) of windowStart for the window [start, end). */
  bounds(start: number, end: number): readonly [number, number];
}

/** The selected history fields grouped by the range they read. */
export function historyRanges(fields: readonly StreamHistoryField[]): HistoryRange[] {
  const byKey = new Map<string, StreamHistoryField[]>();
  for (const f of fields) {
    const key = f.offsetMs !== null ? `offset:${f.offsetMs}` : `previous:${f.previousWindows}`;
    byKey.set(key, [...(byKey.get(key) ?? []), f]);
  }
  return [...byKey].map(([key, list]) => {
    const { offsetMs, previousWindows } = list[0]!;
    const bounds = (start: number, end: number): readonly [number, number] =>
      offsetMs !== null ? [start - offsetMs, end - offsetMs] : [start - previousWindows! * (end - start), start];
    return { key, fields: list, bounds };
  });
}

/**
 * History is landed in windows of `landing.window`: a window that is not a whole number of
 * them (or a session) has no exact history range. Refused before the subscription starts.
 */
export function checkHistoryWindow(window: WindowSpec, stream: StreamConfig, fields: readonly string[]): void {
  const landingMs = stream.landing!.windowMs;
  const whole = (ms: number) => ms % landingMs === 0;
  const got =
    window.kind === 'session'
      ? `a session window (gap ${window.gapMs} ms)`
      : window.kind === 'tumble'
        ? whole(window.sizeMs) ? null : `tumble ${window.sizeMs} ms`
        : whole(window.sizeMs) && whole(window.advanceMs) ? null : `hop size ${window.sizeMs} ms, advance ${window.advanceMs} ms`;
  if (got === null) return;
  throw badInput(
    `${fields.join(', ')}: history fields need a tumble or hop window whose size (and advance) is a whole number of ${stream.name}'s landing window (${landingMs} ms); got ${got}`,
    { fields: [...fields], landingWindowMs: landingMs },
  );
}

/** The key of a row among its window's groups: its values of the grouping dimensions. */
const keyOf = (row: ResultRow, groupBy: readonly string[]) => JSON.stringify(groupBy.map((d) => row[d] ?? null));

/**
 * Starts the history queries of one window version and gives each row the promise of its
 * values. Every promise is marked handled: a payload that is never executed (its subscribers
 * left) must not end in an unhandled rejection; an executed one rethrows where it is awaited.
 */
export function attachHistory(
  rows: readonly HistoryRow[],
  window: { start: number; end: number },
  query: { ctx: RequestContext; options: AnswerOptions; stream: StreamConfig; config: Config; ranges: readonly HistoryRange[]; groupBy: readonly string[]; where: unknown },
): void {
  const loaded = Promise.all(query.ranges.map((r) => loadRange(r, window, query, rows)));
  const byKey = loaded.then((maps) => {
    const values = new Map<string, Record<string, number | null>>();
    for (const map of maps) {
      for (const [key, v] of map) values.set(key, { ...values.get(key), ...v });
    }
    return values;
  });
  byKey.catch(() => {});
  const empty: Values = {};
  for (const row of rows) {
    const mine = byKey.then((values) => values.get(keyOf(row, query.groupBy)) ?? empty);
    mine.catch(() => {});
    row[HISTORY] = mine;
  }
}

/**
 * One range's values by row key. The range is asked whole, all its groups (the same query for
 * every version of the window, so the cache answers the repeats); when it holds more groups
 * than server.maxLimit, it is asked again for this version's keys only, so no row reads null
 * for a group that was cut. More of those keys than maxLimit is LIMIT_EXCEEDED on the fields.
 */
async function loadRange(
  range: HistoryRange,
  window: { start: number; end: number },
  query: Parameters<typeof attachHistory>[2],
  rows: readonly ResultRow[],
): Promise<Map<string, Record<string, number | null>>> {
  const { ctx, options, stream, config, groupBy } = query;
  const dataset = config.datasets[stream.landing!.dataset]!;
  const [from, to] = range.bounds(window.start, window.end);
  const within = { windowStart: { gte: new Date(from).toISOString(), lt: new Date(to).toISOString() } };
  const measures = [...new Set(range.fields.map((f) => f.measure))];
  const limit = config.server.maxLimit;
  const ask = (filters: readonly unknown[]) =>
    ctx.gateway.answer(
      {
        dataset: dataset.name,
        rows: { dimensions: groupBy.map((name) => ({ name, granularity: null })), measures, calcs: [] },
        totals: null,
        where: filters.length === 1 ? filters[0] : { AND: filters },
        limit,
      },
      options,
    );
  const filters = query.where ? [query.where, within] : [within];
  let answer = await ask(filters);
  if (answer.meta.truncated) {
    answer = await ask([...filters, keysWhere(groupBy, rows)]);
    if (answer.meta.truncated) {
      throw limitExceeded(`${range.fields.map((f) => f.name).join(', ')}: this window's rows have more than server.maxLimit (${limit}) groups of history to read`, {
        limit: 'maxLimit',
        max: limit,
      });
    }
  }
  const out = new Map<string, Record<string, number | null>>();
  for (const row of answerRows(answer, dataset)) {
    const values: Record<string, number | null> = {};
    for (const f of range.fields) {
      const v = row[f.measure];
      // A sum of landed sums: the database adds the landed doubles (several windows, partitions
      // or keys) without compensation, so 1964.85 may come back as 1964.8500000000001.
      values[f.name] = typeof v === 'number' ? (dataset.measures[f.measure]!.aggregation === 'sum' ? cutSum(v) : v) : null;
    }
    out.set(keyOf(row, groupBy), values);
  }
  return out;
}

/** A where filter that keeps the groups of `rows` (their values of `groupBy`), nulls included. */
export function keysWhere(groupBy: readonly string[], rows: readonly ResultRow[]): unknown {
  const unique = new Map<string, ResultRow>();
  for (const row of rows) unique.set(keyOf(row, groupBy), row);
  const keys = [...unique.values()];
  const equal = (field: string, v: unknown) => (v === null || v === undefined ? { [field]: { isNull: true } } : { [field]: { eq: v } });
  if (groupBy.length === 1) {
    const [field] = groupBy as [string];
    const values = keys.map((r) => r[field]).filter((v) => v !== null && v !== undefined);
    const anyNull = values.length < keys.length;
    const listed = values.length > 0 ? [{ [field]: { in: values } }] : [];
    const parts = anyNull ? [...listed, equal(field, null)] : listed;
    return parts.length === 1 ? parts[0] : { OR: parts };
  }
  return { OR: keys.map((r) => ({ AND: groupBy.map((field) => equal(field, r[field])) })) };
}

/** A history field's resolver: the row's value once its window's queries answered; null where nothing was landed. */
export function historyFieldResolver(name: string) {
  return async (row: HistoryRow): Promise<number | null> => {
    const pending = row[HISTORY];
    if (!pending) return null;
    return (await pending)[name] ?? null;
  };
}

/**
 * The stream row's `calc`: as on datasets, except that a calc naming history fields waits
 * for them (and fails with them); one that does not stays synchronous.
 */
export function streamCalcResolver(historyNames: readonly string[]) {
  const needsHistory = new WeakMap<object, boolean>();
  return (row: HistoryRow, args: { expr: string }): number | null | Promise<number | null> => {
    const pending = row[HISTORY];
    const expr = pending && row[CALCS]?.get(args.expr);
    if (!pending || !expr) return resolveCalc(row, args);
    let needs = needsHistory.get(expr);
    if (needs === undefined) needsHistory.set(expr, (needs = referencedNames(expr).some((n) => historyNames.includes(n))));
    if (!needs) return resolveCalc(row, args);
    return pending.then((values) => resolveCalc({ ...row, ...values }, args));
  };
}
