import { describe, expect, it } from 'vitest';
import type { Filter, Scalar } from '../../planner/index.ts';
import { FALSE, TRUE, UNKNOWN } from '../../values/index.ts';
import type { CodedColumn } from './columns.ts';
import { f } from './deriveTestPlans.ts';
import { evaluateFilter } from './evaluateFilter.ts';

/** Rows: region, quantity, returned. */
const ROWS: [string | null, number | null, boolean | null][] = [
  ['East', 3, false],
  ['West', null, true],
  [null, 7, null],
  ['Eastern', 10, false],
];

function columnOf(field: string): CodedColumn {
  const index = ['region', 'quantity', 'returned'].indexOf(field);
  const values: (Scalar | null)[] = [];
  const codes = Int32Array.from(ROWS, (row) => {
    const v = row[index]!;
    const known = values.indexOf(v);
    return known >= 0 ? known : values.push(v) - 1;
  });
  return { codes, values };
}

const T = TRUE;
const F = FALSE;
const U = UNKNOWN;

describe('evaluateFilter (SQL three-valued logic)', () => {
  it.each<[string, Filter, number[]]>([
    ['eq', f.eq('region', 'East'), [T, F, U, F]],
    ['ne is unknown for null', f.cmp('region', 'ne', 'East'), [F, T, U, T]],
    ['numbers compare numerically', f.cmp('quantity', 'gt', 5), [F, U, T, T]],
    ['lte', f.cmp('quantity', 'lte', 7), [T, U, T, F]],
    ['booleans: false < true', f.cmp('returned', 'lt', true), [T, F, U, T]],
    ['in', f.in('region', ['East', 'West']), [T, T, U, F]],
    ['not in excludes nulls', f.notIn('region', ['East']), [F, T, U, T]],
    ['contains (strpos > 0)', f.match('region', 'contains', 'ern'), [F, F, U, T]],
    ['contains the empty string', f.match('region', 'contains', ''), [T, T, U, T]],
    ['startsWith', f.match('region', 'startsWith', 'East'), [T, F, U, T]],
    ['is null', f.isNull('quantity'), [F, T, F, F]],
    ['is not null', f.isNull('quantity', false), [T, F, T, T]],
    ['not unknown is unknown', f.not(f.cmp('quantity', 'gt', 5)), [T, U, F, F]],
    ['false and unknown is false', f.and(f.eq('region', 'East'), f.cmp('quantity', 'gt', 5)), [F, F, U, F]],
    ['true or unknown is true', f.or(f.cmp('quantity', 'gt', 5), f.eq('returned', true)), [F, T, T, T]],
    ['false or unknown is unknown', f.or(f.eq('region', 'North'), f.cmp('quantity', 'gt', 5)), [F, U, T, T]],
    ['constants', f.and({ kind: 'const', value: true }, f.or({ kind: 'const', value: false })), [F, F, F, F]],
  ])('%s', (_, filter, expected) => {
    expect([...evaluateFilter(filter, columnOf, ROWS.length)]).toEqual(expected);
  });
});
