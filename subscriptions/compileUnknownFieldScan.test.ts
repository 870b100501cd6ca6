import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { compileUnknownFieldScan } from './compileUnknownFieldScan.ts';
import { createDecoder } from './decodeEvent.ts';
import { OTHER_UNKNOWN_FIELDS, UnknownFieldTally } from './UnknownFieldTally.ts';

const stream = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, net: { sum: "amount - discount" } }
    fields: { amount: { aliases: [total] } }
    version: { field: /meta/v, mappings: { "3": { amount: { path: /payload/amount } } } }
`).streams.orders!;

describe('compileUnknownFieldScan', () => {
  const scan = compileUnknownFieldScan(stream);
  const unknown = (o: Record<string, unknown>) => {
    const found: string[] = [];
    scan(o, (p) => found.push(p));
    return found;
  };

  it.each<[string, Record<string, unknown>, string[]]>([
    ['every field read, aliased or mapped in some version', { ts: 1, region: 'x', amount: 1, total: 2, discount: 0, meta: { v: 3 }, payload: { amount: 1 } }, []],
    ['a new top-level field', { ts: 1, amount: 1, coupon: 'A' }, ['/coupon']],
    ['a new field inside a mapped object', { ts: 1, payload: { amount: 1, currency: 'EUR' }, meta: { v: 3, producer: 'p' } }, ['/payload/currency', '/meta/producer']],
    ['a read value is not looked into (an object where a number was expected)', { amount: { cents: 100 } }, []],
    ['arrays are not looked into', { payload: [{ x: 1 }] }, []],
    ['names needing escapes are reported as pointers', { 'a/b': 1, 'c~d': 2 }, ['/a~1b', '/c~0d']],
    ['__proto__ as a JSON member', JSON.parse('{"__proto__": 1, "ts": 1}') as Record<string, unknown>, ['/__proto__']],
  ])('%s', (_, o, want) => {
    expect(unknown(o)).toEqual(want);
  });

  it('the decoder reports unknown fields of bad messages too', () => {
    const seen: string[] = [];
    const decode = createDecoder(stream, () => 0, (p) => seen.push(p));
    const r = decode({ value: Buffer.from(JSON.stringify({ ts: 0, region: 'x', price: 3 })), timestamp: '0' });
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/^required field "amount" is missing/) });
    expect(seen).toEqual(['/price']);
  });
});

describe('UnknownFieldTally', () => {
  it('counts per field between flushes; past the bound, new fields count as (other)', () => {
    const tally = new UnknownFieldTally(2);
    for (const f of ['/a', '/b', '/a', '/c', '/d', '/b']) tally.count(f);
    const out: [string, number][] = [];
    tally.flush((f, n) => out.push([f, n]));
    expect(out).toEqual([['/a', 2], ['/b', 2], [OTHER_UNKNOWN_FIELDS, 2]]);
    tally.flush(() => expect.unreachable('nothing counted since the last flush'));
    tally.count('/c'); // still past the bound: labels are kept for the run
    tally.count('/a');
    const again: [string, number][] = [];
    tally.flush((f, n) => again.push([f, n]));
    expect(again).toEqual([[OTHER_UNKNOWN_FIELDS, 1], ['/a', 1]]);
  });
});
