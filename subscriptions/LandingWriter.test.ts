import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import { LandingWriter, MAX_PENDING_ROWS } from './LandingWriter.ts';
import type { StreamEvent } from './window/index.ts';

const stream = parseConfig(`
sources:
  db: { kind: postgres, url: "postgres://unused" }
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" } }
    grace: 0s
    landing: { source: db, table: landed, window: 1s }
`).streams.orders!;

/** A source whose table upserts by (window_start, region) (one partition), and that fails while `down`. */
function fakeSource() {
  const table = new Map<string, number>();
  const state = { down: false, attempts: 0 };
  const source = {
    dialect: { quoteIdent: (s: string) => `"${s}"` },
    async execute({ sql, params }: { sql: string; params: unknown[] }) {
      state.attempts += 1;
      await Promise.resolve();
      if (state.down) throw new Error('relation "landed" does not exist');
      if (!sql.startsWith('insert')) return;
      // One statement per attempt: columns as arrays (window_start, window_end, partition, region, orders_count).
      const [starts, , , regions, counts] = params as unknown[][];
      starts!.forEach((start, i) => table.set(`${start}|${regions![i]}`, counts![i] as number));
    },
  } as unknown as Source;
  return { source, table, state };
}

const event = (time: number, region = 'east'): StreamEvent => ({ time, dims: { region }, values: { orders: 1 } });
const landedOrders = (table: Map<string, number>) => [...table.values()].reduce((a, b) => a + b, 0);

describe('LandingWriter: failed writes', () => {
  it('retries a failed write until it succeeds, and lands every window once', async () => {
    const { source, table, state } = fakeSource();
    const errors: unknown[] = [];
    const writer = new LandingWriter(stream, source, 0, (e) => errors.push(e));
    state.down = true;
    writer.add([event(0), event(500, 'west'), event(1_200), event(2_500)]); // closes [0,1s) and [1s,2s)
    await waitUntil(() => writer.failedWrites >= 2);
    writer.add([event(3_100), event(4_000)]); // closes [2s,3s) and [3s,4s) behind the failing write
    state.down = false;
    await writer.settled();
    expect(landedOrders(table)).toBe(5);
    expect([...table.keys()].sort()).toEqual([
      '1970-01-01T00:00:00.000Z|east',
      '1970-01-01T00:00:00.000Z|west',
      '1970-01-01T00:00:01.000Z|east',
      '1970-01-01T00:00:02.000Z|east',
      '1970-01-01T00:00:03.000Z|east',
    ]);
    expect(writer.landedWindows).toBe(4);
    expect(errors.length).toBe(writer.failedWrites);
  });

  it('keeps at most MAX_PENDING_ROWS rows waiting, dropping the oldest windows (counted)', async () => {
    const { source, state } = fakeSource();
    const errors: Error[] = [];
    const writer = new LandingWriter(stream, source, 0, (e) => errors.push(e as Error));
    state.down = true;
    const windows = MAX_PENDING_ROWS + 10;
    writer.add(Array.from({ length: windows + 1 }, (_, i) => event(i * 1_000)));
    await waitUntil(() => writer.failedWrites >= 1);
    expect(writer.droppedWindows).toBe(10);
    expect(writer['queuedRows']).toBe(MAX_PENDING_ROWS);
    expect(errors.some((e) => /10 closed windows of landed dropped unwritten/.test(e.message))).toBe(true);
    writer.stop();
    await writer.settled();
  });

  it('stop() ends the retries and says how many windows did not land', async () => {
    const { source, state } = fakeSource();
    const errors: Error[] = [];
    const writer = new LandingWriter(stream, source, 0, (e) => errors.push(e as Error));
    state.down = true;
    writer.add([event(0), event(1_000), event(2_000)]);
    await waitUntil(() => writer.failedWrites >= 1);
    writer.stop();
    await writer.settled();
    const attempts = state.attempts;
    expect(errors.at(-1)!.message).toBe('2 closed windows of landed were not landed before shutdown');
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.attempts).toBe(attempts);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
