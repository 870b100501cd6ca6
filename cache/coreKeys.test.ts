import { describe, expect, it } from 'vitest';
import { coreOf, planKey, type AggregatePlan } from '../planner/index.ts';
import { desc, plan } from './derive/deriveTestPlans.ts';
import { coreKeyOf } from './coreKeys.ts';

describe('coreKeyOf', () => {
  it('is planKey of each core of the plan', () => {
    const top = plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 5 });
    expect(coreKeyOf(top, false)).toBe(planKey(coreOf(top, false)));
    expect(coreKeyOf(top, true)).toBe(planKey(coreOf(top, true)));
    expect(coreKeyOf(top, true)).not.toBe(coreKeyOf(top, false));
  });

  it('keys a plan that is not frozen afresh: a change after the first call changes its key', () => {
    const mutable = { ...plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 5 }) } as { -readonly [K in keyof AggregatePlan]: AggregatePlan[K] };
    const before = coreKeyOf(mutable, true);
    mutable.limit = 6;
    expect(coreKeyOf(mutable, true)).not.toBe(before);
    expect(coreKeyOf(mutable, true)).toBe(planKey(coreOf(mutable, true)));
  });
});
