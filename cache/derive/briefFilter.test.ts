import { describe, expect, it } from 'vitest';
import { printFilter } from '../../planner/index.ts';
import { briefFilter } from './briefFilter.ts';
import { f } from './deriveTestPlans.ts';

describe('briefFilter', () => {
  it('prints short filters as printFilter does', () => {
    const filter = f.and(f.in('region', ['East', 'West']), f.cmp('quantity', 'gt', 3));
    expect(briefFilter(filter)).toBe(printFilter(filter));
  });

  it('cuts every in list, however nested, to 5 values and a count of the rest', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => `v${i}`.padEnd(100, 'x'));
    const text = briefFilter(f.or(f.not(f.in('channel', values)), f.notIn('region', values)));
    expect(text.length).toBeLessThan(2_000);
    expect(text.match(/… 9995 more/g)).toHaveLength(2);
  });
});
