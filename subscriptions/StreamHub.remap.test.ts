import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { StreamHub } from './StreamHub.ts';

const yaml = (stream: string, dimensions = '{ region: { type: string } }') =>
  parseConfig(`
sources: {}
datasets: {}
server: { identity: test }
streams:
  orders:
    kafka: { brokers: "localhost:1", topic: orders }
    timestamp: ts
    dimensions: ${dimensions}
    measures: { revenue: { sum: amount } }
${stream}
`);
const counters = { event() {}, late() {}, dropped() {}, bad() {}, subscribers() {}, log() {} };

describe('StreamHub.remap: the entry point of a config reload', () => {
  const hub = new StreamHub(yaml('    grace: 2s'), new Map(), counters);

  it('applies a change of fields: and version: (no feed created: the feed starts with it later)', () => {
    const next = yaml(`    grace: 2s
    fields: { amount: { aliases: [total] } }
    version: { field: v, mappings: { "2": { amount: { path: /p/amount } } } }`);
    expect(hub.remap(next.streams.orders!)).toBeNull();
  });

  it.each<[string, string, string, string?]>([
    ['grace', '    grace: 3s', 'graceMs'],
    ['a dimension', '    grace: 2s', 'dimensions', '{ region: { type: string }, channel: { type: string } }'],
    ['the dead-letter topic and retention', '    grace: 2s\n    deadLetterTopic: dlq\n    retention: 2h', 'retentionMs, deadLetterTopic'],
  ])('refuses a change of %s, naming it, and applies nothing', (_, stream, keys, dimensions) => {
    expect(hub.remap(yaml(stream, dimensions).streams.orders!)).toBe(`stream orders: ${keys} changed; only fields: and version: are applied while the gateway runs (restart for the rest)`);
  });

  it('refuses a stream it does not serve', () => {
    const other = parseConfig(`
sources: {}
datasets: {}
streams:
  shipments: { kafka: { brokers: "", topic: s } }
`).streams.shipments!;
    expect(hub.remap(other)).toBe('stream shipments is not served by this gateway; a new stream needs a restart');
  });
});
