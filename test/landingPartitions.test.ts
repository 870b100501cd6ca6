/**
 * Per-partition landing windows and their offset bookkeeping (PartitionWindows), without
 * services: the stored position is where the open windows can be rebuilt from, and a
 * replica that resumes from any stored position (a takeover at any record) lands, together
 * with what was landed before, exactly the windows of one uninterrupted run.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { landingShape } from '../subscriptions/landingShape.ts';
import { PartitionWindows, type PartitionPosition } from '../subscriptions/PartitionWindows.ts';
import type { StreamEvent, WindowState } from '../subscriptions/window/index.ts';
import { seededRandom } from './support/seededRandom.ts';

const stream = parseConfig(`
sources:
  db: { kind: postgres, url: "postgres://unused" }
datasets: {}
streams:
  orders:
    kafka: { brokers: "127.0.0.1:9", topic: orders }
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" }, revenue: { sum: amount }, avgAmount: { avg: amount }, top: { max: amount } }
    grace: 2s
    landing: { source: db, table: landed, window: 1s }
`).streams.orders!;
const shape = landingShape(stream);

const event = (time: number, region = 'east', amount = 1): StreamEvent => ({ time, dims: { region }, values: { orders: 1, amount, revenue: amount, avgAmount: amount, top: amount } });
/** The landing table as upserts leave it: one row per (window start, region). */
type Table = Map<string, string>;
const upsert = (table: Table, windows: readonly WindowState[]) => {
  for (const w of windows) for (const r of w.rows) table.set(`${w.start}|${r.dims.region}`, JSON.stringify([w.end, r.measures]));
};

describe('PartitionWindows: one partition, its event time and its position', () => {
  it('the position is the first offset of the oldest open window, or the next offset when none is open', () => {
    const p = new PartitionWindows(shape, { offset: 10, watermark: -Infinity });
    p.add(10, event(1_000));
    p.add(11, event(2_100));
    p.add(12, event(1_500)); // still in [1s, 2s): its first event is at 10
    expect(p.closeDue()).toEqual({ windows: [], position: { offset: 10, watermark: 2_100 } });
    p.add(13, event(3_000)); // stream time 3 s closes [1s,2s) (end 2 s + grace 2 s > 3 s: not yet)
    expect(p.closeDue().windows).toEqual([]);
    p.add(14, event(4_000)); // 4 s: [1s, 2s) closes; [2s, 3s) opened at 11 is the oldest open
    const closed = p.closeDue();
    expect(closed.windows.map((w) => [w.start, w.rows[0]!.measures.orders])).toEqual([[1_000, 2]]);
    expect(closed.position).toEqual({ offset: 11, watermark: 4_000 });
    p.add(15, null); // a record that is no event only moves the next offset
    p.add(16, event(60_000)); // closes everything before it
    expect(p.closeDue().position).toEqual({ offset: 16, watermark: 60_000 });
    expect(p.nextOffset).toBe(17);
  });

  it('records before the next offset are redeliveries: ignored', () => {
    const p = new PartitionWindows(shape, { offset: 0, watermark: -Infinity });
    expect([p.add(0, event(0)), p.add(1, event(10)), p.add(1, event(10)), p.add(0, event(0)), p.add(2, event(20))]).toEqual([true, true, false, false, true]);
    expect(p.openWindows()[0]!.rows[0]!.measures.orders).toBe(3);
  });

  it('a first position makes the windows begun before the start instant late (the feed did not see all their events)', () => {
    const first = PartitionWindows.firstPosition(shape, 42, 10_500);
    expect(first).toEqual({ offset: 42, watermark: 11_000 + 2_000 });
    const p = new PartitionWindows(shape, first);
    p.add(42, event(10_900)); // window [10s, 11s) began before 10.5 s: skipped
    p.add(43, event(11_100));
    expect(p.lateEvents).toBe(1);
    expect(p.openWindows().map((w) => w.start)).toEqual([11_000]);
    expect(p.closeDue().position).toEqual({ offset: 43, watermark: 13_000 });
  });

  it('events of windows already landed are late after a resume, also when their time is within the open windows\' grace', () => {
    // 0: [60s), 1: [59s) within grace, 2: 70 s closes [59s]; the position is then 0 (window 60 s is open).
    const run = new PartitionWindows(shape, { offset: 0, watermark: -Infinity });
    run.add(0, event(60_100));
    run.add(1, event(59_900));
    run.add(2, event(62_000));
    const { windows, position } = run.closeDue();
    expect(windows.map((w) => w.start)).toEqual([59_000]);
    expect(position).toEqual({ offset: 0, watermark: 62_000 });
    // A resume re-reads 0..2: the 59 s event must not make a second, partial [59s) window.
    const resumed = new PartitionWindows(shape, position);
    for (const [offset, e] of [[0, event(60_100)], [1, event(59_900)], [2, event(62_000)]] as const) resumed.add(offset, e);
    expect(resumed.closeDue().windows).toEqual([]);
    expect(resumed.lateEvents).toBe(1);
    expect(resumed.openWindows()).toEqual(run.openWindows());
  });

  it('a takeover at any record lands, with what was landed before it, exactly the windows of an uninterrupted run', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      // Out-of-order events (jitter up to 3 s against 2 s of grace: some late), bad records, a few regions.
      const records: (StreamEvent | null)[] = Array.from({ length: 400 }, (_, i) =>
        random() < 0.03 ? null : event(i * 97 + Math.floor(random() * 3_000), ['east', 'west', 'north'][Math.floor(random() * 3)], Math.round(random() * 100)),
      );
      const start = PartitionWindows.firstPosition(shape, 0, 0);
      const whole: Table = new Map();
      const cuts: { at: number; landed: Table; position: PartitionPosition }[] = [];
      const run = new PartitionWindows(shape, start);
      const landed: Table = new Map();
      let stored = start;
      records.forEach((e, offset) => {
        run.add(offset, e);
        // Windows land (with their position) after some batches, as a feed does per fetched batch.
        if (random() < 0.3) {
          const closed = run.closeDue();
          upsert(landed, closed.windows);
          if (closed.windows.length > 0) stored = closed.position;
        }
        cuts.push({ at: offset, landed: new Map(landed), position: stored });
      });
      upsert(landed, run.closeDue().windows);
      for (const [k, v] of landed) whole.set(k, v);
      expect(whole.size).toBeGreaterThan(50);

      for (const cut of cuts.filter((_, i) => i % 7 === 0)) {
        // The replica dies after record `at`; another one resumes from the stored position.
        const table: Table = new Map(cut.landed);
        const next = new PartitionWindows(shape, cut.position);
        for (let offset = cut.position.offset; offset < records.length; offset++) next.add(offset, records[offset]!);
        upsert(table, next.closeDue().windows);
        expect([...table].sort(), `seed ${seed}, takeover after record ${cut.at}`).toEqual([...whole].sort());
      }
    }
  });
});

describe('landing config: one consumer group for all replicas', () => {
  const yaml = (extra: string, dims = '{ region: { type: string } }') => `
sources:
  db: { kind: postgres, url: "postgres://unused" }
datasets: {}
server: { identity: replica-1 }
streams:
  orders:
    kafka: { brokers: "127.0.0.1:9", topic: orders-topic }
    dimensions: ${dims}
    measures: { orders: { count: "*" } }
    landing: { source: db, table: wh.orders_1m${extra} }
`;

  it('derives the group from the stream, topic and table, not from the replica identity; groupId overrides it', () => {
    const s = parseConfig(yaml('')).streams.orders!;
    expect(s.landing!.groupId).toBe('tributary-landing-orders-orders-topic-wh.orders_1m');
    expect(s.kafka.groupId).toContain('replica-1'); // the live feed's group stays per replica
    expect(parseConfig(yaml(', groupId: landers')).streams.orders!.landing!.groupId).toBe('landers');
  });

  it('refuses a dimension named partition (the landing table\'s partition column), naming the path and the fix', () => {
    expect(() => parseConfig(yaml('', '{ partition: { type: string } }'))).toThrow(/streams\.orders\.dimensions\.partition: .*rename the dimension/);
  });
});
