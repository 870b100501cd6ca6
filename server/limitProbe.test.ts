import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { desc, plan } from '../cache/derive/deriveTestPlans.ts';
import { limitProbe } from './limitProbe.ts';

describe('limitProbe', () => {
  const top = Object.freeze(plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 2 }));

  it('asks one row more and trims it, saying the answer was cut', () => {
    const probe = limitProbe(top);
    expect(probe.plan.limit).toBe(3);
    const table = new Table({ revenue: vectorFromArray([3, 2, 1], new Float64()) });
    const { table: trimmed, truncated } = probe.trim(table);
    expect([trimmed.numRows, truncated]).toEqual([2, true]);
    expect(probe.trim(table.slice(0, 2)).truncated).toBe(false);
  });

  it('a frozen plan gets the same probe plan every time, so its cache key is taken once', () => {
    expect(limitProbe(top).plan).toBe(limitProbe(top).plan);
  });

  it('a plan that is not frozen gets a probe of what it says now', () => {
    const mutable = { ...top };
    expect(limitProbe(mutable).plan.limit).toBe(3);
    mutable.limit = 9;
    expect(limitProbe(mutable).plan.limit).toBe(10);
  });
});
