import { Bool, Float64, makeVector, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { readColumn } from './readColumn.ts';

describe('readColumn', () => {
  const numbers = [1.5, null, -0, 3, null, 1e300, 7, 8, 9, null, 11];
  const strings = ['a', null, '', 'Zürich 東京 🚀', null, "O'Brien", 'x', 'y', 'z', null, 'end'];

  it('reads Float64 and Utf8 columns as Arrow reads them cell by cell, nulls included', () => {
    for (const [values, type] of [
      [numbers, new Float64()],
      [strings, new Utf8()],
    ] as const) {
      const column = vectorFromArray(values as never[], type);
      expect(readColumn(column)).toEqual(values);
      expect(readColumn(column)).toEqual([...column].map((v) => v ?? null));
    }
  });

  it('reads slices (a chunk offset into its buffers) and several chunks', () => {
    const column = vectorFromArray(numbers, new Float64());
    expect(readColumn(column.slice(3, 10))).toEqual(numbers.slice(3, 10));
    const text = vectorFromArray(strings, new Utf8());
    expect(readColumn(text.slice(1, 9))).toEqual(strings.slice(1, 9));
    const chunked = vectorFromArray(strings.slice(0, 5), new Utf8()).concat(vectorFromArray(strings.slice(5), new Utf8()));
    expect(chunked.data.length).toBe(2);
    expect(readColumn(chunked)).toEqual(strings);
  });

  it('reads other types cell by cell', () => {
    const flags = [true, null, false, true];
    expect(readColumn(vectorFromArray(flags, new Bool()))).toEqual(flags);
    expect(readColumn(makeVector(new Int32Array([1, 2, 3])))).toEqual([1, 2, 3]);
  });
});
