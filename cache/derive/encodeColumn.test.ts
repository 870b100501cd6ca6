import { Bool, Float64, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { CodedColumn } from './columns.ts';
import { encodeColumn } from './encodeColumn.ts';

const decode = (c: CodedColumn) => Array.from(c.codes, (code) => c.values[code]);

describe('encodeColumn', () => {
  const strings = ['East', null, 'West', 'East', 'Ünïcode ✓', '', null, 'West', 'Ünïcode ✓', ''];
  const numbers = [1.5, null, -0, 0, 1.5, 1e300, null, 2];
  const booleans = [true, null, false, true];

  it.each<[string, Vector, unknown[]]>([
    ['utf8 with nulls and multi-byte characters', vectorFromArray(strings, new Utf8()), strings],
    ['float64 with nulls (-0 and 0 are one value)', vectorFromArray(numbers, new Float64()), numbers.map((v) => (v === null ? null : v + 0))],
    ['bool with nulls', vectorFromArray(booleans, new Bool()), booleans],
  ])('%s', (_, vector, expected) => {
    const coded = encodeColumn(vector);
    expect(decode(coded)).toEqual(expected);
    expect(new Set(coded.values).size).toBe(coded.values.length); // each value once
  });

  it('reads sliced and multi-chunk columns', () => {
    const many = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? null : `v${i % 11}`));
    const table = new Table({ s: vectorFromArray(many, new Utf8()), x: vectorFromArray(many.map((v, i) => (v ? i % 5 : null)), new Float64()) });
    const sliced = table.slice(13, 250);
    const joined = sliced.concat(table.slice(3, 40));
    for (const t of [sliced, joined]) {
      for (const name of ['s', 'x'] as const) {
        const vector = t.getChild(name)!;
        expect(decode(encodeColumn(vector))).toEqual(vector.toArray() instanceof Float64Array ? Array.from(vector, (v) => v) : [...vector]);
      }
    }
  });

  it('grows its hash table past many distinct values', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 5003);
    expect(decode(encodeColumn(vectorFromArray(values, new Float64())))).toEqual(values);
    const texts = values.map((v) => `k${v}`);
    expect(decode(encodeColumn(vectorFromArray(texts, new Utf8())))).toEqual(texts);
  });
});
