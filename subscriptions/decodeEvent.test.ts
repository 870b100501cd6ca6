import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createDecoder } from './decodeEvent.ts';

const NOW = Date.UTC(2026, 11, 1, 12);
const streams = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
  stamped:
    kafka: { brokers: "", topic: stamped }
    maxSkew: 10s
`).streams;
const record = (o: unknown, timestamp = String(NOW)) => ({ value: Buffer.from(JSON.stringify(o)), timestamp });

describe('createDecoder: maxSkew (default 1h) against the gateway clock', () => {
  const decode = createDecoder(streams.orders!, () => NOW);

  it.each<[string, number, boolean]>([
    ['now', NOW, true],
    ['an hour ago', NOW - 3_600_000, true],
    ['ten years ago (replayed history)', NOW - 10 * 365 * 86_400_000, true],
    ['exactly maxSkew ahead', NOW + 3_600_000, true],
    ['1 ms more than maxSkew ahead', NOW + 3_600_001, false],
    ['microseconds sent as milliseconds', NOW * 1000, false],
    ['nanoseconds sent as milliseconds (beyond what Date can show)', NOW * 1e6, false],
  ])('%s: accepted %s', (_, ts, accepted) => {
    expect(decode(record({ ts, region: 'east', amount: 1 })).ok).toBe(accepted);
  });

  it('says why, with the time, how far ahead and the limit', () => {
    expect(decode(record({ ts: NOW + 7_200_000, region: 'east', amount: 1 }))).toEqual({
      ok: false,
      reason: `event time 2026-12-01T14:00:00.000Z is 7200000 ms ahead of the gateway clock, more than the stream's maxSkew of 3600000 ms (microseconds sent as milliseconds?)`,
    });
  });

  it('applies to the Kafka record timestamp too, with the configured maxSkew', () => {
    const stamped = createDecoder(streams.stamped!, () => NOW);
    expect(stamped(record({}, String(NOW + 10_000))).ok).toBe(true);
    expect(stamped(record({}, String(NOW + 10_001))).ok).toBe(false);
  });

  it('reads the clock per record, not once', () => {
    let clock = NOW;
    const moving = createDecoder(streams.stamped!, () => clock);
    expect(moving(record({}, String(NOW + 60_000))).ok).toBe(false);
    clock = NOW + 55_000;
    expect(moving(record({}, String(NOW + 60_000))).ok).toBe(true);
  });

  it('takes a clock read by the caller (a feed reads it once per batch) instead of calling now()', () => {
    let calls = 0;
    const counted = createDecoder(streams.stamped!, () => (calls++, NOW));
    expect(counted(record({}, String(NOW + 60_000)), NOW + 55_000).ok).toBe(true);
    expect(counted(record({}, String(NOW + 60_000)), NOW)).toMatchObject({ ok: false, reason: expect.stringContaining('is 60000 ms ahead of the gateway clock') });
    expect(calls).toBe(0);
  });
});
