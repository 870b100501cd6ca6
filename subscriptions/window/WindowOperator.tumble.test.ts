import { describe, expect, it } from 'vitest';
import { ORDERS, order, run, type Compact } from './operatorFixture.ts';
import type { StreamEvent } from './types.ts';

const TUMBLE = { ...ORDERS, window: { kind: 'tumble', sizeMs: 1000 } } as const; // grace 500

interface Case {
  readonly name: string;
  readonly events: readonly StreamEvent[];
  readonly finals: readonly Compact[];
  readonly open: readonly Compact[];
  readonly late?: number;
  readonly bad?: number;
}

const w = (start: number, revision: number, ...rows: Record<string, unknown>[]): Compact => ({ start, end: start + 1000, revision, rows });

describe('WindowOperator: tumbling windows (1s, grace 500ms)', () => {
  it.each<Case>([
    {
      name: 'in-order events',
      events: [order(100, 'East', 5), order(200, 'West', 3), order(1100, 'East', 2), order(1600)],
      finals: [w(0, 1, { region: 'East', revenue: 5, orders: 1 }, { region: 'West', revenue: 3, orders: 1 })],
      open: [w(1000, 1, { region: 'East', revenue: 3, orders: 2 })],
    },
    {
      name: 'out of order within one window',
      events: [order(900, 'East', 1), order(100, 'East', 2), order(500, 'West', 4)],
      finals: [],
      open: [w(0, 2, { region: 'East', revenue: 3, orders: 2 }, { region: 'West', revenue: 4, orders: 1 })],
    },
    {
      name: 'an idle gap creates no empty windows',
      events: [order(100), order(5100), order(9999)],
      finals: [w(0, 0, { region: 'East', revenue: 1, orders: 1 }), w(5000, 0, { region: 'East', revenue: 1, orders: 1 })],
      open: [w(9000, 0, { region: 'East', revenue: 1, orders: 1 })],
    },
    {
      name: 'late within grace revises the window',
      events: [order(100, 'East', 1), order(1200, 'East', 1), order(900, 'East', 4), order(1499, 'West', 1), order(1500)],
      finals: [w(0, 1, { region: 'East', revenue: 5, orders: 2 })],
      open: [w(1000, 2, { region: 'East', revenue: 2, orders: 2 }, { region: 'West', revenue: 1, orders: 1 })],
    },
    {
      name: 'late beyond grace is dropped and counted',
      events: [order(100, 'East', 1), order(1500, 'East', 1), order(999, 'East', 50), order(0, 'West', 50)],
      finals: [w(0, 0, { region: 'East', revenue: 1, orders: 1 })],
      open: [w(1000, 0, { region: 'East', revenue: 1, orders: 1 })],
      late: 2,
    },
    {
      name: 'late for a window that never had events',
      events: [order(5000), order(3000)],
      finals: [],
      open: [w(5000, 0, { region: 'East', revenue: 1, orders: 1 })],
      late: 1,
    },
    {
      name: 'bad events are rejected and counted',
      events: [
        order(NaN),
        order(Infinity),
        order(-Infinity),
        { time: '100' as unknown as number, dims: {}, values: {} },
        { time: 100, dims: { region: NaN }, values: {} },
        { time: 100, dims: { region: 'East' }, values: { revenue: 'lots' } },
        { time: 100, dims: { region: 'East' }, values: { revenue: Infinity } },
        order(200, 'East', 7),
      ],
      finals: [],
      open: [w(0, 0, { region: 'East', revenue: 7, orders: 1 })],
      bad: 7,
    },
    {
      name: 'a window is still open one millisecond before end + grace',
      events: [order(100), order(1499)],
      finals: [],
      open: [w(0, 0, { region: 'East', revenue: 1, orders: 1 }), w(1000, 0, { region: 'East', revenue: 1, orders: 1 })],
    },
    {
      name: 'a window closes exactly at end + grace',
      events: [order(100), order(1500)],
      finals: [w(0, 0, { region: 'East', revenue: 1, orders: 1 })],
      open: [w(1000, 0, { region: 'East', revenue: 1, orders: 1 })],
    },
    {
      name: 'group by with nulls: null and missing form one group, sorted last',
      events: [order(1, null, 1), order(2, 'West', 2), { time: 3, dims: {}, values: { revenue: 4, orders: 1 } }, order(4, 'East', 8)],
      finals: [],
      open: [w(0, 3, { region: 'East', revenue: 8, orders: 1 }, { region: 'West', revenue: 2, orders: 1 }, { region: null, revenue: 5, orders: 2 })],
    },
    {
      name: 'null measure inputs: sum of only nulls is null, count(*) still counts',
      events: [order(1, 'East', null), order(2, 'West', null), order(3, 'West', 2)],
      finals: [],
      open: [w(0, 2, { region: 'East', revenue: null, orders: 1 }, { region: 'West', revenue: 2, orders: 2 })],
    },
  ])('$name', ({ events, finals, open, late = 0, bad = 0 }) => {
    const result = run(TUMBLE, events);
    expect({ finals: result.finals, open: result.open }).toEqual({ finals, open });
    expect([result.operator.lateEvents, result.operator.badEvents, result.operator.events]).toEqual([late, bad, events.length]);
  });

  it('reports what each add did', () => {
    const { results } = run(TUMBLE, [order(100), order(200), order(1600), order(900), order(NaN)]);
    expect(results).toEqual([
      { accepted: true, late: false, changed: ['0'], removed: [] },
      { accepted: true, late: false, changed: ['0'], removed: [] },
      { accepted: true, late: false, changed: ['1000'], removed: [] },
      { accepted: false, late: true, changed: [], removed: [] },
      { accepted: false, late: false, changed: [], removed: [] },
    ]);
  });

  it('where: rejected events change nothing but advance stream time', () => {
    const where = (dims: StreamEvent['dims']) => dims['region'] !== 'West';
    const { finals, open, results, operator } = run({ ...TUMBLE, where }, [order(100, 'East', 1), order(200, 'West', 9), order(1600, 'West', 9)]);
    expect(results.map((r) => [r.accepted, r.changed])).toEqual([[true, ['0']], [true, []], [true, []]]);
    expect(finals).toEqual([w(0, 0, { region: 'East', revenue: 1, orders: 1 })]);
    expect(open).toEqual([]);
    expect(operator.streamTime).toBe(1600);
  });

  it('computes every aggregation, with nulls', () => {
    const measures = (['sum', 'count', 'countDistinct', 'avg', 'min', 'max'] as const).map((aggregation) => ({ name: aggregation, aggregation }));
    const options = { ...TUMBLE, groupBy: ['region'], measures: [...measures, { name: 'rows', aggregation: 'count' as const }] };
    const event = (region: string, amount: number | null, customer: string | null): StreamEvent => ({
      time: 10,
      dims: { region },
      values: { sum: amount, count: amount, countDistinct: customer, avg: amount, min: amount, max: amount, rows: 1 },
    });
    const { open } = run(options, [
      event('East', 3, 'ann'),
      event('East', null, null),
      event('East', 5, 'bob'),
      event('East', 4, 'ann'),
      event('West', null, null),
    ]);
    expect(open[0]!.rows).toEqual([
      { region: 'East', sum: 12, count: 3, countDistinct: 2, avg: 4, min: 3, max: 5, rows: 4 },
      { region: 'West', sum: null, count: 0, countDistinct: 0, avg: null, min: null, max: null, rows: 1 },
    ]);
  });
});
