/**
 * The windows a stream subscription should deliver, computed here independently of
 * subscriptions/window: events in arrival order, stream time = the largest event time seen,
 * a window closes when stream time reaches end + grace, and an event whose windows are all
 * closed at its arrival is late (dropped). Rows group by the given dimensions with
 * revenue = sum(amount), orders = count(*), maxAmount = max(amount).
 */
import { seededRandom } from './seededRandom.ts';

export interface TestEvent {
  readonly ts: number;
  readonly region: string;
  readonly channel: string;
  readonly amount: number;
}

export type TestWindow = { readonly kind: 'tumble'; readonly sizeMs: number } | { readonly kind: 'hop'; readonly sizeMs: number; readonly advanceMs: number } | { readonly kind: 'session'; readonly gapMs: number };

export type Row = Record<string, string | number | null>;

export interface ReferenceWindow {
  readonly start: number;
  readonly end: number;
  /** Events counted in the window. */
  readonly events: number;
  /** Rows sorted by the groupBy dimensions by name (the plan's order), each ascending. */
  readonly rows: Row[];
}

export interface ReferenceOptions {
  readonly graceMs: number;
  readonly groupBy: readonly ('region' | 'channel')[];
  /** Events it rejects still advance stream time (the operator's `where`). */
  readonly where?: (e: TestEvent) => boolean;
  /** Events before it are ignored entirely (`since`). */
  readonly sinceMs?: number;
}

/** 2030-01-01T00:00:00Z: event times far from the wall clock. */
export const BASE_TS = Date.UTC(2030, 0, 1);
export const REGIONS = ['east', 'north', 'south', 'west'] as const;
export const CHANNELS = ['partner', 'retail', 'web'] as const;

/**
 * `count` events, one every `stepMs` from `startTs`, mostly in order: a share arrive up to
 * `jitterMs` early-stamped (within grace), a smaller share `lateByMs` behind (late).
 */
export function generateEvents(seed: number, count: number, opts: { startTs?: number; stepMs: number; jitterMs: number; lateShare?: number; lateByMs?: number }): TestEvent[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  return Array.from({ length: count }, (_, i) => {
    let ts = (opts.startTs ?? BASE_TS) + i * opts.stepMs;
    const r = random();
    if (r < (opts.lateShare ?? 0)) ts -= opts.lateByMs ?? 0;
    else if (r < 0.2) ts -= Math.floor(random() * opts.jitterMs);
    return { ts, region: pick(REGIONS), channel: pick(CHANNELS), amount: 1 + Math.floor(random() * 500) };
  });
}

/** The windows closed once every event has arrived, in closing order (end, then start); and the late count. */
export function referenceWindows(events: readonly TestEvent[], window: TestWindow, options: ReferenceOptions): { closed: ReferenceWindow[]; late: number } {
  const { graceMs } = options;
  let streamTime = -Infinity;
  let late = 0;
  const byStart = new Map<number, TestEvent[]>();
  const accepted: TestEvent[] = [];
  for (const e of events) {
    if (options.sinceMs !== undefined && e.ts < options.sinceMs) continue;
    streamTime = Math.max(streamTime, e.ts);
    if (options.where && !options.where(e)) continue;
    if (window.kind === 'session') {
      // Sessions in these tests are far apart, so "its session is closed" is "[ts, ts + gap) is closed".
      if (e.ts + window.gapMs + graceMs <= streamTime) late++;
      else accepted.push(e);
      continue;
    }
    const advance = window.kind === 'hop' ? window.advanceMs : window.sizeMs;
    const open = [];
    for (let start = Math.floor(e.ts / advance) * advance; start + window.sizeMs > e.ts; start -= advance) {
      if (start + window.sizeMs + graceMs > streamTime) open.push(start);
    }
    if (open.length === 0) late++;
    for (const start of open) byStart.set(start, [...(byStart.get(start) ?? []), e]);
  }
  const windows =
    window.kind === 'session'
      ? sessions(accepted, window.gapMs)
      : [...byStart].map(([start, evs]) => ({ start, end: start + window.sizeMs, evs }));
  const closed = windows
    .filter((w) => w.end + graceMs <= streamTime)
    .sort((a, b) => a.end - b.end || a.start - b.start)
    .map((w) => ({ start: w.start, end: w.end, events: w.evs.length, rows: groupRows(w.evs, options.groupBy) }));
  return { closed, late };
}

/** Accepted events chained by time: a gap of `gapMs` or more starts a new session [first, last + gap). */
function sessions(events: readonly TestEvent[], gapMs: number): { start: number; end: number; evs: TestEvent[] }[] {
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  const out: { start: number; end: number; evs: TestEvent[] }[] = [];
  for (const e of sorted) {
    const last = out.at(-1);
    if (last && e.ts < last.end) {
      last.evs.push(e);
      last.end = e.ts + gapMs;
    } else out.push({ start: e.ts, end: e.ts + gapMs, evs: [e] });
  }
  return out;
}

export function groupRows(events: readonly TestEvent[], groupBy: readonly ('region' | 'channel')[]): Row[] {
  const groups = new Map<string, Row>();
  for (const e of events) {
    const key = JSON.stringify(groupBy.map((d) => e[d]));
    let row = groups.get(key);
    if (!row) groups.set(key, (row = { ...Object.fromEntries(groupBy.map((d) => [d, e[d]])), revenue: 0, orders: 0, maxAmount: -Infinity }));
    row.revenue = (row.revenue as number) + e.amount;
    row.orders = (row.orders as number) + 1;
    row.maxAmount = Math.max(row.maxAmount as number, e.amount);
  }
  const byName = [...groupBy].sort();
  return [...groups.values()].sort((a, b) => compareByDims(a, b, byName));
}

/** Ascending by each dimension in turn, strings by code point (the operator's row order). */
export function compareByDims(a: Row, b: Row, dims: readonly string[]): number {
  for (const d of dims) {
    const [x, y] = [String(a[d]), String(b[d])];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
