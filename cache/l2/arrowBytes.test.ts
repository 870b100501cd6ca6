import { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { resultVector } from '../../sources/index.ts';
import { tableFromBytes, tableToBytes } from './arrowBytes.ts';

function sample(rows: number): Table {
  const regions = ['North', null, 'Süd', ''];
  return new Table({
    region: resultVector('string', rows, (i) => regions[i % 4]!),
    'revenue.sum': resultVector('number', rows, (i) => (i % 7 === 0 ? null : i * 1.25 - 3)),
    'orders.count': resultVector('number', rows, (i) => i),
    flag: resultVector('boolean', rows, (i) => (i % 3 === 0 ? null : i % 2 === 0)),
  });
}

describe('Arrow IPC bytes of a core', () => {
  it('round-trips names, types, values and nulls', () => {
    const table = sample(1_000);
    const back = tableFromBytes(tableToBytes(table));
    expect(back.schema.fields.map((f) => [f.name, String(f.type)])).toEqual(table.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(back.numRows).toBe(1_000);
    expect(back.toArray().map((r) => r.toJSON())).toEqual(table.toArray().map((r) => r.toJSON()));
  });

  it('reads bytes at any offset of a larger buffer (as a socket hands them over)', () => {
    const bytes = tableToBytes(sample(10));
    const padded = Buffer.alloc(bytes.byteLength + 3);
    padded.set(bytes, 3);
    const back = tableFromBytes(padded.subarray(3));
    expect(back.getChild('revenue.sum')!.toArray()).toEqual(sample(10).getChild('revenue.sum')!.toArray());
  });

  it('round-trips an empty core', () => {
    const back = tableFromBytes(tableToBytes(sample(0)));
    expect(back.numRows).toBe(0);
    expect(back.schema.fields.map((f) => f.name)).toEqual(['region', 'revenue.sum', 'orders.count', 'flag']);
  });
});
