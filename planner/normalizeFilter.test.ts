import { describe, expect, it } from 'vitest';
import type { Filter } from './LogicalPlan.ts';
import { normalizeFilter } from './normalizeFilter.ts';
import { printFilter } from './printPlan.ts';

const eq = (field: string, value: string | number): Filter => ({ kind: 'compare', field, op: 'eq', value });
const and = (...args: Filter[]): Filter => ({ kind: 'and', args });
const or = (...args: Filter[]): Filter => ({ kind: 'or', args });
const not = (arg: Filter): Filter => ({ kind: 'not', arg });
const inList = (field: string, values: (string | number)[], negated = false): Filter => ({ kind: 'in', field, values, negated });
const T: Filter = { kind: 'const', value: true };
const F: Filter = { kind: 'const', value: false };

const CASES: [string, Filter, string | null][] = [
  ['sorts AND arguments', and(eq('b', 1), eq('a', 1)), '(a = 1 and b = 1)'],
  ['flattens nested AND', and(and(eq('a', 1), eq('b', 1)), eq('c', 1)), '(a = 1 and b = 1 and c = 1)'],
  ['keeps OR inside AND', and(or(eq('b', 1), eq('a', 1)), eq('c', 1)), '((a = 1 or b = 1) and c = 1)'],
  ['flattens nested OR', or(eq('c', 1), or(eq('b', 1), eq('a', 1))), '(a = 1 or b = 1 or c = 1)'],
  ['removes duplicates', and(eq('a', 1), eq('a', 1)), 'a = 1'],
  ['unwraps a single argument', or(eq('a', 1)), 'a = 1'],
  ['empty AND is always true', and(), null],
  ['empty OR is always false', or(), 'false'],
  ['AND with false is false', and(eq('a', 1), F), 'false'],
  ['OR with true is true', or(eq('a', 1), T), null],
  ['AND drops true', and(eq('a', 1), T), 'a = 1'],
  ['OR drops false', or(eq('a', 1), F), 'a = 1'],
  ['NOT NOT cancels', not(not(eq('a', 1))), 'a = 1'],
  ['NOT true is false', not(T), 'false'],
  ['sorts and dedupes IN', inList('a', ['c', 'a', 'c', 'b']), 'a in ["a","b","c"]'],
  ['sorts numbers numerically', inList('n', [10, 9, 100]), 'n in [9,10,100]'],
  ['one-value IN is eq', inList('a', ['x', 'x']), 'a = "x"'],
  ['one-value NOT IN is ne', inList('a', ['x'], true), 'a != "x"'],
  ['empty IN matches nothing', inList('a', []), 'false'],
  ['empty NOT IN matches everything', inList('a', [], true), null],
  ['normalizes inside NOT', not(and(eq('b', 1), eq('a', 1))), 'not (a = 1 and b = 1)'],
];

describe('normalizeFilter', () => {
  it.each(CASES)('%s', (_name, input, printed) => {
    const normal = normalizeFilter(input);
    expect(normal === null ? null : printFilter(normal)).toBe(printed);
  });

  it('is idempotent', () => {
    for (const [, input] of CASES) {
      const once = normalizeFilter(input);
      expect(normalizeFilter(once)).toEqual(once);
    }
  });
});
