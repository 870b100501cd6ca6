import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { compileEventReader } from './compileEventReader.ts';

const stream = parseConfig(`
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: orders }
    timestamp: ts
    dimensions:
      region: { type: string }
      quoted: { type: string, field: 'we"ird\\ na\u2028me' }
      size: { type: number }
      vip: { type: boolean }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      buyers: { countDistinct: customer }
      net: { sum: "amount - discount" }
`).streams.orders!;

/** What each field should read, written out independently of the generated code. */
function reference(o: Record<string, unknown>, time: number) {
  const finite = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const dims: Record<string, unknown> = {};
  for (const [name, column, type] of [['region', 'region', 'string'], ['quoted', 'we"ird\\ na\u2028me', 'string'], ['size', 'size', 'number'], ['vip', 'vip', 'boolean']] as const) {
    const v = o[column];
    if (v === undefined || v === null) dims[name] = null;
    else if (typeof v === type && (type !== 'number' || Number.isFinite(v))) dims[name] = v;
    else return `field "${column}" should be a ${type}, got ${JSON.stringify(v)}`;
  }
  const amount = finite(o.amount);
  const discount = finite(o.discount);
  const customer = o.customer;
  return {
    time,
    dims,
    values: {
      revenue: amount,
      orders: 1,
      buyers: typeof customer === 'string' || (typeof customer === 'number' && Number.isFinite(customer)) ? customer : null,
      net: amount === null || discount === null ? null : amount - discount,
    },
  };
}

describe('compileEventReader', () => {
  const read = compileEventReader(stream);
  const pick = <T>(xs: readonly T[], r: number) => xs[Math.floor(r * xs.length)]!;

  it('reads 5,000 random events exactly as the reference (types, nulls, missing fields, odd field names)', () => {
    expect(stream.dimensions.quoted!.column).toBe('we"ird\\ na\u2028me');
    let seed = 11;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const anything = [undefined, null, 'east', '', 0, -1.5, 42, NaN, Infinity, true, false, { a: 1 }, [1], '12'];
    for (let i = 0; i < 5_000; i++) {
      const o: Record<string, unknown> = {};
      const set = (key: string, good: readonly unknown[]) => {
        const v = random() < 0.85 ? pick(good, random()) : pick(anything, random());
        if (v !== undefined) o[key] = v;
      };
      set('region', ['east', 'west', '', 'ünï']);
      set('we"ird\\ na\u2028me', ['x', 'y']);
      set('size', [1, 2.5, -3, 0]);
      set('vip', [true, false]);
      set('amount', [10, 0.5, -2]);
      set('discount', [1, 0]);
      set('customer', ['c1', 7, 'c2']);
      expect(read(o, i)).toEqual(reference(o, i));
    }
  });

  it('a bad dimension names the field and the value', () => {
    expect(read({ region: 5 }, 0)).toBe('field "region" should be a string, got 5');
    expect(read({ region: 'east', size: '3' }, 0)).toBe('field "size" should be a number, got "3"');
  });
});
