import { describe, expect, it } from 'vitest';
import { ORDERS, order, run, type Compact } from './operatorFixture.ts';
import type { StreamEvent } from './types.ts';

const SESSION = { ...ORDERS, window: { kind: 'session', gapMs: 1000 } } as const; // grace 500

const s = (start: number, end: number, revision: number, ...rows: Record<string, unknown>[]): Compact => ({ start, end, revision, rows });
const east = (revenue: number, orders = 1) => ({ region: 'East', revenue, orders });

interface Case {
  readonly name: string;
  readonly graceMs?: number;
  readonly events: readonly StreamEvent[];
  readonly finals: readonly Compact[];
  readonly open: readonly Compact[];
  readonly late?: number;
}

describe('WindowOperator: session windows (gap 1s)', () => {
  it.each<Case>([
    {
      name: 'events within the gap extend the session to last event + gap',
      events: [order(0), order(800), order(1799)],
      finals: [],
      open: [s(0, 2799, 2, east(3, 3))],
    },
    {
      name: 'an event exactly one gap after the last starts a new session',
      events: [order(0), order(1000)],
      finals: [],
      open: [s(0, 1000, 0, east(1)), s(1000, 2000, 0, east(1))],
    },
    {
      name: 'a session is still open one millisecond before end + grace',
      events: [order(0), order(1499)],
      finals: [],
      open: [s(0, 1000, 0, east(1)), s(1499, 2499, 0, east(1))],
    },
    {
      name: 'a session closes at last event + gap + grace',
      events: [order(0), order(1500)],
      finals: [s(0, 1000, 0, east(1))],
      open: [s(1500, 2500, 0, east(1))],
    },
    {
      name: 'an out-of-order event extends a session backwards',
      events: [order(5000), order(4500)],
      finals: [],
      open: [s(4500, 6000, 1, east(2, 2))],
    },
    {
      name: 'an event bridging two sessions merges them into the earlier one',
      graceMs: 2000,
      events: [order(0, 'East', 1), order(1500, 'West', 2), order(1600, 'East', 4), order(700, 'East', 8), order(4600)],
      finals: [s(0, 2600, 1, east(13, 3), { region: 'West', revenue: 2, orders: 1 })],
      open: [s(4600, 5600, 0, east(1))],
    },
    {
      name: 'late: an event inside a closed session',
      events: [order(0), order(1500), order(500)],
      finals: [s(0, 1000, 0, east(1))],
      open: [s(1500, 2500, 0, east(1))],
      late: 1,
    },
    {
      name: 'late: an event whose own session would be past its close and that touches none',
      events: [order(5000), order(3400)],
      finals: [],
      open: [s(5000, 6000, 0, east(1))],
      late: 1,
    },
    {
      name: 'an event whose own session would be past its close joins an open session it touches',
      events: [order(5000), order(5900), order(4300)],
      finals: [],
      open: [s(4300, 6900, 2, east(3, 3))],
    },
  ])('$name', ({ graceMs = 500, events, finals, open, late = 0 }) => {
    const result = run({ ...SESSION, graceMs }, events);
    expect({ finals: result.finals, open: result.open }).toEqual({ finals, open });
    expect(result.operator.lateEvents).toBe(late);
  });

  it('a merge reports the absorbed session as removed; it has no snapshot and no final version', () => {
    const { operator, results } = run({ ...SESSION, graceMs: 2000 }, [order(0), order(1500), order(700)]);
    expect(results.map((r) => [r.changed, r.removed])).toEqual([
      [['session-0'], []],
      [['session-1'], []],
      [['session-0'], ['session-1']],
    ]);
    expect(operator.snapshot('session-1')).toBeUndefined();
    expect(operator.snapshot('session-0')).toMatchObject({ start: 0, end: 2500, revision: 1, final: false });
    expect(operator.flush().map((w) => w.key)).toEqual(['session-0']);
  });

  it('final sessions do not depend on arrival order when nothing is late', () => {
    let seed = 11;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 30; round++) {
      const times = Array.from({ length: 60 }, () => Math.floor(next() * 40_000));
      const shuffled = [...times].sort(() => next() - 0.5);
      const result = run({ ...SESSION, graceMs: 1e9 }, shuffled.map((t) => order(t, 'East', t)));
      expect(result.operator.flush().map((w) => ({ start: w.start, end: w.end, rows: w.rows }))).toEqual(sessionsOf(times));
    }
  });
});

/** Reference: sort, split where the next event is a gap or more after the previous. */
function sessionsOf(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const sessions: number[][] = [];
  for (const t of sorted) {
    const current = sessions.at(-1);
    if (current && t < current.at(-1)! + 1000) current.push(t);
    else sessions.push([t]);
  }
  return sessions.map((ts) => ({
    start: ts[0],
    end: ts.at(-1)! + 1000,
    rows: [{ dims: { region: 'East' }, measures: { revenue: ts.reduce((a, b) => a + b, 0), orders: ts.length } }],
  }));
}
