import type { Batch } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { KafkaFeed } from './KafkaFeed.ts';
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

/** A batch as kafkajs hands it to eachBatch (only what the feed reads); `bad` offsets carry no JSON, `ahead` ones a far-future time. */
function batch(from: number, to: number, bad: ReadonlySet<number> = new Set(), ahead: ReadonlySet<number> = new Set()): Batch {
  const messages = [];
  for (let offset = from; offset < to; offset++) {
    const ts = ahead.has(offset) ? Date.now() + 7_200_000 : NOW - 100_000 + offset;
    const value = bad.has(offset) ? 'not json' : JSON.stringify({ ts, region: 'east', amount: offset });
    messages.push({ offset: String(offset), value: Buffer.from(value), timestamp: String(NOW) });
  }
  return { topic: 'orders', partition: 0, messages } as unknown as Batch;
}

/** A feed that is never started: batches go straight to its eachBatch handler. */
function feed(listener?: (events: readonly StreamEvent[]) => void) {
  const bad: string[] = [];
  const batches: StreamEvent[][] = [];
  const f = new KafkaFeed(stream, { onBadMessage: (reason) => bad.push(reason), log: () => {} });
  f.onEvents(listener ?? ((events) => batches.push([...events])));
  const deliver = (b: Batch) => (f as unknown as { onBatch(b: Batch): Promise<void> }).onBatch(b);
  const amounts = () => batches.flat().map((e) => e.values['revenue']);
  return { batches, bad, deliver, amounts };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('KafkaFeed: batches to listeners', () => {
  it('hands on the decoded events of a batch in one call, in offset order; bad and far-future messages are counted', async () => {
    const f = feed();
    await f.deliver(batch(0, 2_500, new Set([0, 5]), new Set([7])));
    expect(f.batches).toHaveLength(1);
    expect(f.amounts()).toEqual(range(0, 2_500).filter((o) => ![0, 5, 7].includes(o)));
    expect(f.bad).toHaveLength(3);
    expect(f.bad[2]).toContain('ahead of the gateway clock');
  });

  it('counts each offset once when a batch comes again, whole or overlapping (after a reconnect)', async () => {
    const f = feed();
    await f.deliver(batch(0, 2_500));
    await f.deliver(batch(0, 2_500));
    await f.deliver(batch(2_000, 3_000));
    expect(f.amounts()).toEqual(range(0, 3_000));
  });
});
