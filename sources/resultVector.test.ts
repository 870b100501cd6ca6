import { Bool, Float64, Utf8, vectorFromArray, type DataType } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { ResultColumn } from '../planner/index.ts';
import { resultVector } from './resultVector.ts';

const ARROW: Record<ResultColumn['type'], () => DataType> = { string: () => new Utf8(), number: () => new Float64(), time: () => new Float64(), boolean: () => new Bool() };

/** What rowsToArrow fed vectorFromArray before: the same normalization. */
function normalized(type: ResultColumn['type'], v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'number' || type === 'time') return typeof v === 'number' ? v : Number(v);
  if (type === 'string') return typeof v === 'string' ? v : String(v);
  return v;
}

function expectSameAsVectorFromArray(type: ResultColumn['type'], values: readonly unknown[]) {
  const fast = resultVector(type, values.length, (i) => values[i]);
  const slow = vectorFromArray(values.map((v) => normalized(type, v)), ARROW[type]());
  expect(fast.length).toBe(slow.length);
  expect(fast.nullCount).toBe(slow.nullCount);
  expect(String(fast.type)).toBe(String(slow.type));
  for (let i = 0; i < values.length; i++) expect(Object.is(fast.get(i), slow.get(i)) || fast.get(i) === slow.get(i)).toBe(true);
}

describe('resultVector', () => {
  it('builds the vector vectorFromArray builds, with and without nulls, in every column type', () => {
    expectSameAsVectorFromArray('number', [1, -0, NaN, Infinity, null, '12.5', 10n, undefined, 1e300]);
    expectSameAsVectorFromArray('time', [1.7e12, null, 0, -86_400_000]);
    expectSameAsVectorFromArray('string', ['east', '', null, 'ünïcödé', '\u{1F642} smile', 'a\u0000b', 42, undefined, 'x'.repeat(1000)]);
    expectSameAsVectorFromArray('boolean', [true, false, null, true, true, false, false, true, undefined, true]);
    for (const type of ['number', 'string', 'boolean', 'time'] as const) {
      expectSameAsVectorFromArray(type, []);
      expectSameAsVectorFromArray(type, [null]);
    }
  });

  it('agrees on 10,000 random values per type', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = (f: () => unknown) => Array.from({ length: 10_000 }, () => (random() < 0.1 ? null : f()));
    expectSameAsVectorFromArray('number', pick(() => (random() - 0.5) * 1e6));
    expectSameAsVectorFromArray('string', pick(() => String.fromCodePoint(...Array.from({ length: Math.floor(random() * 8) }, () => Math.floor(random() * 0x2000)))));
    expectSameAsVectorFromArray('boolean', pick(() => random() < 0.5));
  });
});
