import { describe, expect, it } from 'vitest';
import type { Filter } from '../../planner/index.ts';
import { conjunctImplies } from './conjunctImplies.ts';
import { at, DERIVE_TEST_DATASET, f } from './deriveTestPlans.ts';

describe('conjunctImplies', () => {
  it.each<[string, Filter, Filter, boolean]>([
    ['equal predicates', f.in('region', ['East', 'West']), f.in('region', ['East', 'West']), true],
    ['an IN subset', f.in('region', ['East', 'West']), f.in('region', ['East', 'North', 'West']), true],
    ['an IN superset', f.in('region', ['East', 'South']), f.in('region', ['East', 'West']), false],
    ['eq of a listed value', f.eq('region', 'East'), f.in('region', ['East', 'West']), true],
    ['eq of an unlisted value', f.eq('region', 'South'), f.in('region', ['East', 'West']), false],
    ['another field', f.eq('channel', 'East'), f.in('region', ['East', 'West']), false],
    ['IN of values starting with the prefix', f.in('region', ['East', 'Eastern']), f.match('region', 'startsWith', 'Ea'), true],
    ['eq inside a range', f.eq('quantity', 8), f.cmp('quantity', 'gte', 5), true],
    ['eq outside a range', f.eq('quantity', 4), f.cmp('quantity', 'gte', 5), false],
    ['a tighter lower bound', f.cmp('quantity', 'gte', 7), f.cmp('quantity', 'gte', 5), true],
    ['a strict bound at the same value', f.cmp('quantity', 'gt', 5), f.cmp('quantity', 'gte', 5), true],
    ['gte at the value of a strict bound', f.cmp('quantity', 'gte', 5), f.cmp('quantity', 'gt', 5), false],
    ['gt at the value of a strict bound', f.cmp('quantity', 'gt', 5), f.cmp('quantity', 'gt', 5), true],
    ['a looser lower bound', f.cmp('quantity', 'gte', 3), f.cmp('quantity', 'gte', 5), false],
    ['a tighter upper bound', f.cmp('quantity', 'lt', 3), f.cmp('quantity', 'lte', 5), true],
    ['lte at the value of lt', f.cmp('quantity', 'lte', 5), f.cmp('quantity', 'lt', 5), false],
    ['an upper bound for a lower bound', f.cmp('quantity', 'lt', 3), f.cmp('quantity', 'gt', 1), false],
    ['a lower bound above an excluded value', f.cmp('quantity', 'gt', 5), f.cmp('quantity', 'ne', 5), true],
    ['a lower bound at an excluded value', f.cmp('quantity', 'gte', 5), f.cmp('quantity', 'ne', 5), false],
    ['NOT IN of more values', f.notIn('region', ['East', 'North', 'West']), f.notIn('region', ['East', 'West']), true],
    ['NOT IN of fewer values', f.notIn('region', ['East', 'West']), f.notIn('region', ['East', 'North', 'West']), false],
    ['ne of a NOT IN value', f.notIn('region', ['East', 'West']), f.cmp('region', 'ne', 'West'), true],
    ['a comparison implies IS NOT NULL', f.match('region', 'contains', 'a'), f.isNull('region', false), true],
    ['IS NULL does not imply IS NOT NULL', f.isNull('region'), f.isNull('region', false), false],
    ['nothing implies IS NULL but itself', f.eq('region', 'East'), f.isNull('region'), false],
    ['false implies anything', { kind: 'const', value: false }, f.eq('region', 'East'), true],
    ['a later time bound', f.cmp('orderDate', 'gte', at('2024-06-01')), f.cmp('orderDate', 'gte', at('2024-05-01')), true],
    ['an earlier time bound', f.cmp('orderDate', 'gte', at('2024-04-01')), f.cmp('orderDate', 'gt', at('2024-05-01')), false],
    ['a time bound written with another offset', f.cmp('orderDate', 'lt', '2024-05-01T03:00:00.000Z'), f.cmp('orderDate', 'lt', at('2024-05-01')), true],
    ['an OR is only implied by itself', f.or(f.eq('region', 'East'), f.isNull('region')), f.in('region', ['East', 'West']), false],
  ])('%s', (_, q, c, expected) => {
    expect(conjunctImplies(q, c, DERIVE_TEST_DATASET)).toBe(expected);
  });
});
