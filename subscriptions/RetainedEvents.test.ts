import { describe, expect, it } from 'vitest';
import { RetainedEvents } from './RetainedEvents.ts';
import type { DimensionValue, MeasureInput, StreamEvent } from './window/index.ts';

const DIMS = ['region', 'code'];
const MEASURES = ['amount', 'users'];

/** The reference: every event kept as it came, expired from the front in arrival order. */
class ReferenceRetained {
  events: StreamEvent[] = [];
  streamTime = -Infinity;
  constructor(
    readonly retentionMs: number,
    readonly maxEvents: number,
  ) {}
  add(batch: readonly StreamEvent[]): void {
    for (const e of batch) {
      this.events.push(e);
      this.streamTime = Math.max(this.streamTime, e.time);
    }
    while (this.events.length > 0 && (this.events[0]!.time < this.streamTime - this.retentionMs || this.events.length > this.maxEvents)) this.events.shift();
  }
  since(sinceMs: number): StreamEvent[] {
    return this.events.filter((e) => e.time >= sinceMs);
  }
  /** Events added at or after `seq` (of `added`), null once one of them expired. */
  fromSequence(seq: number, added: number): StreamEvent[] | null {
    const back = added - seq;
    return back > this.events.length ? null : this.events.slice(this.events.length - back);
  }
}

/** Events as the decoder makes them: every dimension and measure, null for missing, strings only where countDistinct allows. */
function randomEvents(seed: number, count: number, start: number): StreamEvent[] {
  const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  let clock = start;
  return Array.from({ length: count }, () => {
    clock += Math.floor(next() * 4);
    const dims: Record<string, DimensionValue> = { region: pick(['east', 'west', null, '']), code: pick([7, -1.5, true, false, null, 'x']) };
    const values: Record<string, MeasureInput> = { amount: pick([null, 0, -0.25, 1e300, 12.5]), users: next() < 0.02 ? pick(['u1', 'u2']) : pick([null, 3, 4.75]) };
    return { time: clock - Math.floor(next() * next() * 40), dims, values };
  });
}

describe('RetainedEvents', () => {
  it.each<[string, number, number, number]>([
    ['retention bites (events span several chunks)', 10_000, 2_000_000, 1],
    ['maxEvents bites', 1_000_000, 5_000, 2],
    ['both, late events keep the front', 300, 3_000, 3],
  ])('%s: the same events, sizes and horizon as an array of the events', (_, retentionMs, maxEvents, seed) => {
    const retained = new RetainedEvents(retentionMs, DIMS, MEASURES, maxEvents);
    const reference = new ReferenceRetained(retentionMs, maxEvents);
    let start = 1_700_000_000_000;
    const marks: number[] = [];
    for (let batch = 0; batch < 12; batch++) {
      const events = randomEvents(seed * 100 + batch, batch === 5 ? 0 : 1 + ((batch * 977) % 3_000), start);
      start = events.at(-1)?.time ?? start;
      marks.push(retained.sequence);
      retained.add(events);
      reference.add(events);
      for (const mark of marks) expect(retained.fromSequence(mark)).toEqual(reference.fromSequence(mark, retained.sequence));
      expect(retained.size).toBe(reference.events.length);
      expect(retained.horizon).toBe(reference.streamTime - retentionMs);
      for (const since of [-Infinity, reference.streamTime - retentionMs / 2, reference.streamTime + 1]) {
        expect(retained.since(since)).toEqual(reference.since(since));
      }
    }
    expect(retained.size).toBeGreaterThan(0);
  });

  it('hands back a missing dimension or measure as null and names no other field', () => {
    const retained = new RetainedEvents(60_000, DIMS, MEASURES);
    retained.add([{ time: 1000, dims: { region: 'east', other: 'x' }, values: { users: 'u1', extra: 5 } }]);
    expect(retained.since(0)).toEqual([{ time: 1000, dims: { region: 'east', code: null }, values: { amount: null, users: 'u1' } }]);
  });

  it('keeps numbers and strings apart in one measure column, and -0 and null as they came', () => {
    const retained = new RetainedEvents(60_000, [], ['users']);
    const inputs: MeasureInput[] = [1, null, -0, 'u1', 2.5, null, '1'];
    retained.add(inputs.map((users, i) => ({ time: i, dims: {}, values: { users } })));
    expect(retained.since(0).map((e) => e.values['users'])).toEqual(inputs);
  });

  it('empties and fills again across a chunk boundary', () => {
    const retained = new RetainedEvents(10, [], []);
    const at = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ time: from + i / 1000, dims: {}, values: {} }));
    retained.add(at(0, 4_096)); // one full chunk, all within 10 ms
    retained.add(at(1_000, 1)); // expires the whole chunk
    expect(retained.size).toBe(1);
    retained.add(at(2_000, 5_000));
    expect(retained.size).toBe(5_000);
    expect(retained.since(-Infinity).map((e) => e.time)).toEqual(at(2_000, 5_000).map((e) => e.time));
  });
});
