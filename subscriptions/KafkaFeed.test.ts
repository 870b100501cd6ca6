import type { Batch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { DISPATCH_SLICE, KafkaFeed } from './KafkaFeed.ts';
import type { StreamEvent } from './window/index.ts';

const NOW = Date.now();
const stream = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "127.0.0.1:1", topic: orders }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
`).streams.orders!;

/** A batch as kafkajs hands it to eachBatch (only what the feed reads); `bad` offsets carry no JSON. */
function batch(from: number, to: number, bad: ReadonlySet<number> = new Set()): Batch {
  const messages = [];
  for (let offset = from; offset < to; offset++) {
    const value = bad.has(offset) ? 'not json' : JSON.stringify({ ts: NOW - 100_000 + offset, region: 'east', amount: offset });
    messages.push({ offset: String(offset), value: Buffer.from(value), timestamp: String(NOW) });
  }
  return { topic: 'orders', partition: 0, messages } as unknown as Batch;
}

/** A feed that is never started: batches go straight to its eachBatch handler. */
function feed() {
  const bad: string[] = [];
  const slices: StreamEvent[][] = [];
  const f = new KafkaFeed(stream, { onBadMessage: (reason) => bad.push(reason), log: () => {} });
  f.onEvents((events) => slices.push([...events]));
  const deliver = (b: Batch) => (f as unknown as { onBatch(b: Batch): Promise<void> }).onBatch(b);
  const amounts = () => slices.flat().map((e) => e.values['revenue']);
  return { slices, bad, deliver, amounts };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('KafkaFeed: batches to listeners', () => {
  it(`hands a large batch on in slices of at most ${DISPATCH_SLICE} events, in offset order`, async () => {
    const f = feed();
    await f.deliver(batch(0, 2_500));
    expect(f.slices.map((s) => s.length)).toEqual([DISPATCH_SLICE, DISPATCH_SLICE, 2_500 - 2 * DISPATCH_SLICE]);
    expect(f.amounts()).toEqual(range(0, 2_500));
  });

  it('counts bad messages and slices only the decoded events; a batch of exactly one slice is one call', async () => {
    const f = feed();
    await f.deliver(batch(0, DISPATCH_SLICE + 3, new Set([0, 5, DISPATCH_SLICE + 1])));
    expect(f.bad).toHaveLength(3);
    expect(f.slices.map((s) => s.length)).toEqual([DISPATCH_SLICE]);
    expect(f.amounts()).toEqual(range(0, DISPATCH_SLICE + 3).filter((o) => ![0, 5, DISPATCH_SLICE + 1].includes(o)));
  });

  it('counts each offset once when a batch comes again, whole or overlapping (after a reconnect)', async () => {
    const f = feed();
    await f.deliver(batch(0, 2_500));
    await f.deliver(batch(0, 2_500));
    await f.deliver(batch(2_000, 3_000));
    expect(f.amounts()).toEqual(range(0, 3_000));
  });

  it('marks a slice delivered before handing it on (as a whole batch was): a listener that fails mid-batch does not get that slice again', async () => {
    let calls = 0;
    const failing = new KafkaFeed(stream, { onBadMessage: () => {}, log: () => {} });
    const got: number[] = [];
    failing.onEvents((events) => {
      if (++calls === 2) throw new Error('listener failed');
      got.push(...events.map((e) => e.values['revenue'] as number));
    });
    const deliver = (b: Batch) => (failing as unknown as { onBatch(b: Batch): Promise<void> }).onBatch(b);
    await expect(deliver(batch(0, 2_500))).rejects.toThrow('listener failed');
    await deliver(batch(0, 2_500)); // kafkajs redelivers the batch
    // The first slice once; the second slice was handed on (its listener failed) and is not handed on again.
    expect(got).toEqual([...range(0, DISPATCH_SLICE), ...range(2 * DISPATCH_SLICE, 2_500)]);
  });
});
