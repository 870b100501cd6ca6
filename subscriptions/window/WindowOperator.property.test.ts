import { describe, expect, it } from 'vitest';
import type { Compact } from './operatorFixture.ts';
import { compact } from './operatorFixture.ts';
import type { Aggregation, MeasureInput, StreamEvent, WindowSpec, WindowState } from './types.ts';
import { WindowOperator } from './WindowOperator.ts';

const AGGREGATIONS: readonly Aggregation[] = ['sum', 'count', 'countDistinct', 'avg', 'min', 'max'];
const MEASURES = [...AGGREGATIONS.map((a) => ({ name: a, aggregation: a })), { name: 'rows', aggregation: 'count' as const }];
const REGIONS = ['A', 'B', null] as const;

interface Scenario {
  readonly sizeMs: number;
  readonly advanceMs: number;
  readonly graceMs: number;
  readonly filtered: boolean;
  readonly events: readonly StreamEvent[];
}

/** Events drift forward with jitter back in time, so some are in grace and some late. */
function scenario(seed: number, hop: boolean): Scenario {
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  let clock = -3000 + Math.floor(next() * 2000);
  const events = Array.from({ length: 120 }, (): StreamEvent => {
    clock += Math.floor(next() * 150);
    const amount = next() < 0.2 ? null : Math.floor(next() * 10) - 3;
    const values: Record<string, MeasureInput> = { rows: 1 };
    for (const a of AGGREGATIONS) values[a] = amount;
    return { time: clock - Math.floor(next() * next() * 3000), dims: { region: pick(REGIONS) }, values };
  });
  const sizeMs = pick([500, 1000]);
  return { sizeMs, advanceMs: hop ? pick([sizeMs, sizeMs / 4, 300]) : sizeMs, graceMs: pick([0, 300, 1000]), filtered: next() < 0.5, events };
}

const keep = (s: Scenario, e: StreamEvent) => !s.filtered || e.dims['region'] !== 'B';

/** The reference: every window start by brute force, membership decided by stream time at arrival. */
function reference(s: Scenario): { finals: Compact[]; lateEvents: number } {
  const byStart = new Map<number, StreamEvent[]>();
  let streamTime = -Infinity;
  let lateEvents = 0;
  for (const e of s.events) {
    streamTime = Math.max(streamTime, e.time);
    if (!keep(s, e)) continue;
    let placed = false;
    for (let start = e.time - s.sizeMs + 1; start <= e.time; start++) {
      const aligned = ((start % s.advanceMs) + s.advanceMs) % s.advanceMs === 0;
      if (aligned && start + s.sizeMs + s.graceMs > streamTime) {
        byStart.set(start, [...(byStart.get(start) ?? []), e]);
        placed = true;
      }
    }
    if (!placed) lateEvents += 1;
  }
  const finals = [...byStart.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, events]) => ({ start, end: start + s.sizeMs, revision: events.length - 1, rows: rowsOf(events) }));
  return { finals, lateEvents };
}

function rowsOf(events: readonly StreamEvent[]): Record<string, unknown>[] {
  return REGIONS.flatMap((region) => {
    const group = events.filter((e) => e.dims['region'] === region);
    if (group.length === 0) return [];
    const xs = group.map((e) => e.values['sum']).filter((v): v is number => v !== null && v !== undefined);
    const total = xs.reduce((a, b) => a + b, 0);
    return [{
      region,
      sum: xs.length ? total : null,
      count: xs.length,
      countDistinct: new Set(xs).size,
      avg: xs.length ? total / xs.length : null,
      min: xs.length ? Math.min(...xs) : null,
      max: xs.length ? Math.max(...xs) : null,
      rows: group.length,
    }];
  });
}

function operatorFinals(s: Scenario, window: WindowSpec): { finals: Compact[]; lateEvents: number } {
  const where = s.filtered ? (dims: StreamEvent['dims']) => dims['region'] !== 'B' : undefined;
  const operator = new WindowOperator({ window, graceMs: s.graceMs, groupBy: ['region'], measures: MEASURES, where });
  const finals: WindowState[] = [];
  for (const e of s.events) {
    operator.add(e);
    finals.push(...operator.closeDue());
  }
  finals.push(...operator.flush());
  return { finals: finals.map(compact), lateEvents: operator.lateEvents };
}

describe('WindowOperator agrees with a brute-force reference on random streams', () => {
  it.each([
    ['tumble', false],
    ['hop', true],
  ] as const)('%s', (_, hop) => {
    let lateSeen = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const s = scenario(seed * 7919, hop);
      const window: WindowSpec = hop ? { kind: 'hop', sizeMs: s.sizeMs, advanceMs: s.advanceMs } : { kind: 'tumble', sizeMs: s.sizeMs };
      const actual = operatorFinals(s, window);
      // Windows close in order of end; with one size that is also the order of start.
      expect(actual, `seed ${seed}`).toEqual(reference(s));
      lateSeen += actual.lateEvents;
    }
    expect(lateSeen).toBeGreaterThan(0); // the scenarios do exercise lateness
  });
});
