import { describe, expect, it } from 'vitest';
import { parseExpression, referencedNames } from './index.ts';

/** Expression → names it references, sorted and deduplicated. */
const CASES: readonly (readonly [string, readonly string[]])[] = [
  ['1 + 2', []],
  ['revenue', ['revenue']],
  ['unit_price * quantity', ['quantity', 'unit_price']],
  ['b + a + b - -a', ['a', 'b']],
  ['round(x, 2) / coalesce(y, z, x)', ['x', 'y', 'z']],
  ['B + a + _c', ['B', '_c', 'a']],
  ['abs + abs(abs)', ['abs']],
];

describe('referencedNames', () => {
  it.each(CASES)('%s references %j', (text, names) => {
    const result = referencedNames(parseExpression(text));
    expect(result).toEqual(names);
    expect(Object.isFrozen(result)).toBe(true);
  });
});
