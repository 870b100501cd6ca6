import { describe, expect, it } from 'vitest';
import type { NumberColumn } from './columns.ts';
import { DERIVE_TEST_DATASET } from './deriveTestPlans.ts';
import { measureValues } from './measureValues.ts';

const column = (values: (number | null)[]): NumberColumn => ({
  values: Float64Array.from(values, (v) => v ?? 0),
  valid: Uint8Array.from(values, (v) => (v === null ? 0 : 1)),
});
const show = (c: NumberColumn) => Array.from(c.values, (v, i) => (c.valid && c.valid[i] === 0 ? null : v));

const LEAVES: Record<string, NumberColumn> = {
  'avgPrice.sum': column([10, null, 0, 7]),
  'avgPrice.count': column([4, 0, 0, 2]),
  'revenue.sum': column([1, null, 3, 4]),
  'maxAmount.max': column([null, 2, 3, 4]),
};

describe('measureValues (compileSql measureValueSql)', () => {
  it.each<[string, (number | null)[]]>([
    ['avgPrice', [2.5, null, null, 3.5]], // sum / nullif(count, 0)
    ['revenue', [1, null, 3, 4]],
    ['maxAmount', [null, 2, 3, 4]],
  ])('%s', (measure, expected) => {
    expect(show(measureValues(measure, DERIVE_TEST_DATASET, (key) => LEAVES[key]!))).toEqual(expected);
  });
});
