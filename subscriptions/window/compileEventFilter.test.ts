import { describe, expect, it } from 'vitest';
import type { Filter, Scalar } from '../../planner/index.ts';
import { compileEventFilter } from './compileEventFilter.ts';
import type { DimensionValue } from './types.ts';

const eq = (field: string, value: Scalar): Filter => ({ kind: 'compare', field, op: 'eq', value });
const gt = (field: string, value: Scalar): Filter => ({ kind: 'compare', field, op: 'gt', value });
const not = (arg: Filter): Filter => ({ kind: 'not', arg });

/** Events: region, quantity, returned (the rows of evaluateFilter.test). */
const EVENTS: Record<string, DimensionValue>[] = [
  { region: 'East', quantity: 3, returned: false },
  { region: 'West', quantity: null, returned: true },
  { region: null, quantity: 7, returned: null },
  { region: 'Eastern', quantity: 10, returned: false },
  {},
];

describe('compileEventFilter (SQL three-valued logic, only TRUE keeps)', () => {
  it.each<[string, Filter | null, boolean[]]>([
    ['no filter keeps all', null, [true, true, true, true, true]],
    ['eq', eq('region', 'East'), [true, false, false, false, false]],
    ['ne drops nulls', { kind: 'compare', field: 'region', op: 'ne', value: 'East' }, [false, true, false, true, false]],
    ['numbers compare numerically', gt('quantity', 5), [false, false, true, true, false]],
    ['lte', { kind: 'compare', field: 'quantity', op: 'lte', value: 7 }, [true, false, true, false, false]],
    ['booleans: false < true', { kind: 'compare', field: 'returned', op: 'lt', value: true }, [true, false, false, true, false]],
    ['in', { kind: 'in', field: 'region', values: ['East', 'West'], negated: false }, [true, true, false, false, false]],
    ['not in drops nulls', { kind: 'in', field: 'region', values: ['East'], negated: true }, [false, true, false, true, false]],
    ['contains', { kind: 'match', field: 'region', op: 'contains', value: 'ern' }, [false, false, false, true, false]],
    ['startsWith', { kind: 'match', field: 'region', op: 'startsWith', value: 'East' }, [true, false, false, true, false]],
    ['isNull (missing is null)', { kind: 'isNull', field: 'region', isNull: true }, [false, false, true, false, true]],
    ['is not null', { kind: 'isNull', field: 'quantity', isNull: false }, [true, false, true, true, false]],
    ['NOT unknown is unknown', not(gt('quantity', 5)), [true, false, false, false, false]],
    ['AND: false absorbs unknown', { kind: 'and', args: [gt('quantity', 5), eq('region', 'West')] }, [false, false, false, false, false]],
    ['OR: true absorbs unknown', { kind: 'or', args: [gt('quantity', 5), eq('region', 'West')] }, [false, true, true, true, false]],
    ['NOT (unknown OR false) is unknown', not({ kind: 'or', args: [gt('quantity', 5), eq('region', 'North')] }), [true, false, false, false, false]],
    ['const', { kind: 'const', value: false }, [false, false, false, false, false]],
  ])('%s', (_, filter, expected) => {
    const keep = compileEventFilter(filter);
    expect(EVENTS.map((dims) => keep(dims))).toEqual(expected);
  });
});
