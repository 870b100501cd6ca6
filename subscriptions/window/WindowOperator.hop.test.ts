import { describe, expect, it } from 'vitest';
import { ORDERS, order, run, type Compact } from './operatorFixture.ts';
import type { StreamEvent } from './types.ts';

const HOP = { ...ORDERS, window: { kind: 'hop', sizeMs: 1000, advanceMs: 250 } } as const; // grace 500

const w = (start: number, revision: number, revenue: number, orders = 1): Compact => ({
  start,
  end: start + 1000,
  revision,
  rows: [{ region: 'East', revenue, orders }],
});

describe('WindowOperator: hopping windows (1s every 250ms, grace 500ms)', () => {
  it.each<{ name: string; events: StreamEvent[]; finals: Compact[]; open: Compact[]; late?: number }>([
    {
      name: 'an event lands in size / advance windows',
      events: [order(1100, 'East', 2)],
      finals: [],
      open: [w(250, 0, 2), w(500, 0, 2), w(750, 0, 2), w(1000, 0, 2)],
    },
    {
      name: 'windows are aligned to the epoch, also before 1970',
      events: [order(-10, 'East', 1)],
      finals: [],
      open: [w(-1000, 0, 1), w(-750, 0, 1), w(-500, 0, 1), w(-250, 0, 1)],
    },
    {
      name: 'overlapping windows share events',
      events: [order(100, 'East', 1), order(600, 'East', 10)],
      finals: [],
      open: [w(-750, 0, 1), w(-500, 0, 1), w(-250, 1, 11, 2), w(0, 1, 11, 2), w(250, 0, 10), w(500, 0, 10)],
    },
    {
      name: 'windows close in order of end as stream time passes end + grace',
      events: [order(100, 'East', 1), order(1250, 'East', 5)],
      finals: [w(-750, 0, 1), w(-500, 0, 1), w(-250, 0, 1)],
      open: [w(0, 0, 1), w(500, 0, 5), w(750, 0, 5), w(1000, 0, 5), w(1250, 0, 5)],
    },
    {
      name: 'a late event updates only its windows that are still open',
      events: [order(100, 'East', 1), order(1250, 'East', 5), order(200, 'East', 100)],
      finals: [w(-750, 0, 1), w(-500, 0, 1), w(-250, 0, 1)],
      open: [w(0, 1, 101, 2), w(500, 0, 5), w(750, 0, 5), w(1000, 0, 5), w(1250, 0, 5)],
    },
    {
      name: 'an event whose windows have all closed is late',
      events: [order(100, 'East', 1), order(1750, 'East', 5), order(240, 'East', 100)],
      finals: [w(-750, 0, 1), w(-500, 0, 1), w(-250, 0, 1), w(0, 0, 1)],
      open: [w(1000, 0, 5), w(1250, 0, 5), w(1500, 0, 5), w(1750, 0, 5)],
      late: 1,
    },
  ])('$name', ({ events, finals, open, late = 0 }) => {
    const result = run(HOP, events);
    expect({ finals: result.finals, open: result.open }).toEqual({ finals, open });
    expect(result.operator.lateEvents).toBe(late);
  });

  it('reports every window an event changed', () => {
    const { results } = run(HOP, [order(1100)]);
    expect(results[0]!.changed).toEqual(['250', '500', '750', '1000']);
  });

  it('flush closes the rest in order of end', () => {
    const { operator } = run(HOP, [order(1100), order(300)]);
    expect(operator.flush().map((s) => [s.start, s.final])).toEqual([
      [-250, true],
      [0, true],
      [250, true],
      [500, true],
      [750, true],
      [1000, true],
    ]);
    expect(operator.openWindows()).toEqual([]);
  });
});
