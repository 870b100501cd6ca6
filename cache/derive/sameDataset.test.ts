import { describe, expect, it } from 'vitest';
import { core, plan } from './deriveTestPlans.ts';
import { sameDataset } from './sameDataset.ts';

describe('sameDataset', () => {
  it.each([
    ['sales', 'sales', { ok: true }],
    ['sales', 'returns', { ok: false, reason: 'the cached core is of dataset "returns", the query of "sales"' }],
  ])('query of %s, core of %s', (q, c, expected) => {
    expect(sameDataset({ ...plan({}), dataset: q }, { ...core({}), dataset: c })).toEqual(expected);
  });
});
