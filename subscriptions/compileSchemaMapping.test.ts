import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { compileSchemaMapping, valueAt } from './compileSchemaMapping.ts';
import { createDecoder, type Decoded } from './decodeEvent.ts';

const NOW = Date.UTC(2026, 11, 1, 12);
const streams = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, discounted: { sum: "amount - discount" } }
    fields:
      amount: { aliases: [total] }
      channel: { default: web }
      discount: { default: 0 }
    version:
      field: schemaVersion
      mappings:
        "3": { amount: { path: /payload/amount }, region: { path: /payload/region }, ts: { path: /meta/time } }
  plain:
    kafka: { brokers: "", topic: plain }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
`).streams;
const record = (o: unknown) => ({ value: Buffer.from(JSON.stringify(o)), timestamp: String(NOW) });
const event = (region: string, channel: string, amount: number, discount = 0) => ({ ok: true as const, event: { time: NOW, dims: { region, channel }, values: { revenue: amount, orders: 1, discounted: amount - discount } } });

describe('schema mapping: three producer versions, defaults, aliases, required fields', () => {
  const decode = createDecoder(streams.orders!, () => NOW);

  it.each<[string, unknown, Decoded | { ok: true; event: unknown }]>([
    ['v1: flat amount', { ts: NOW, region: 'east', channel: 'retail', amount: 12.5, discount: 2 }, event('east', 'retail', 12.5, 2)],
    ['v2: amount renamed total (an alias)', { ts: NOW, region: 'east', channel: 'retail', total: 7 }, event('east', 'retail', 7)],
    ['v2 with schemaVersion 2 (no mapping of its own)', { ts: NOW, schemaVersion: 2, region: 'east', total: 7 }, { ok: false, reason: 'schema version 2 (field /schemaVersion) has no mapping; known versions: 3. Add version.mappings."2" to the stream' }],
    ['v3: nested, version as a number', { schemaVersion: 3, meta: { time: NOW }, payload: { amount: 4, region: 'west' } }, event('west', 'web', 4)],
    ['v3: version as text "3"', { schemaVersion: '3', meta: { time: NOW }, payload: { amount: 4, region: 'west' }, channel: 'partner' }, event('west', 'partner', 4)],
    ['v3 keeps the base alias total (entries replace the base per field only)', { schemaVersion: 3, meta: { time: NOW }, payload: { region: 'west' }, total: 9 }, { ok: false, reason: 'required field "amount" is missing (schema version 3): no value at /payload/amount and no default (set streams.orders.fields.amount.default, or an alias for its new name)' }],
    ['a missing default field takes its default (channel web, discount 0)', { ts: NOW, region: 'north', amount: 3 }, event('north', 'web', 3)],
    ['null counts as missing: the alias is read', { ts: NOW, region: 'north', amount: null, total: 5 }, event('north', 'web', 5)],
    ['a required field with neither name nor alias', { ts: NOW, region: 'north', price: 5 }, { ok: false, reason: 'required field "amount" is missing: no value at /amount, /total and no default (set streams.orders.fields.amount.default, or an alias for its new name)' }],
    ['a version that is an object', { ts: NOW, schemaVersion: { major: 3 }, amount: 1 }, { ok: false, reason: 'schema version field /schemaVersion should be a string or a number, got {"major":3}' }],
    ['an unmapped field keeps today\'s rule: region missing is null', { ts: NOW, amount: 1 }, { ok: true, event: { time: NOW, dims: { region: null, channel: 'web' }, values: { revenue: 1, orders: 1, discounted: 1 } } }],
  ])('%s', (_, o, want) => {
    expect(decode(record(o))).toEqual(want);
  });

  it('a mapped timestamp that is missing is the usual bad time, not a crash', () => {
    expect(decode(record({ schemaVersion: 3, payload: { amount: 1, region: 'x' } }))).toEqual({ ok: false, reason: 'required field "ts" is missing (schema version 3): no value at /meta/time and no default (set streams.orders.fields.ts.default, or an alias for its new name)' });
  });

  it('all fields are read before any is written back (a field moved away stays readable as another\'s alias)', () => {
    const swap = parseConfig(`
sources: {}
datasets: {}
streams:
  s:
    kafka: { brokers: "", topic: s }
    measures: { a: { sum: a }, b: { sum: b } }
    fields: { a: { path: /b }, b: { path: /a } }
`).streams.s!;
    const o: Record<string, unknown> = { a: 1, b: 2 };
    expect(compileSchemaMapping(swap)!(o)).toBeNull();
    expect(o).toEqual({ a: 2, b: 1 });
  });

  it('a stream without a mapping has no mapper (its events are read as before)', () => {
    expect(compileSchemaMapping(streams.plain!)).toBeNull();
  });
});

describe('valueAt (RFC 6901 evaluation)', () => {
  const doc = { a: { b: [10, { c: 'x' }] }, 'm/n': 1, '': 2, n: null };
  it.each<[readonly string[], unknown]>([
    [['a', 'b', '0'], 10],
    [['a', 'b', '1', 'c'], 'x'],
    [['a', 'b', '01'], undefined], // no leading zeros
    [['a', 'b', '2'], undefined],
    [['a', 'b', '-'], undefined],
    [['m/n'], 1],
    [[''], 2],
    [['n', 'x'], undefined],
    [['toString'], undefined], // own members only
    [['a', 'x', 'y'], undefined],
  ])('%j', (tokens, want) => {
    expect(valueAt(doc, tokens)).toEqual(want);
  });
});
