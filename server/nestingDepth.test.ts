import { describe, expect, it } from 'vitest';
import { documentNesting, valueNesting } from './nestingDepth.ts';

describe('documentNesting', () => {
  it.each([
    ['{ a }', 1],
    ['query($x: [Int]) { a(x: $x) { b } }', 2],
    ['{ a(where: { NOT: { b: { in: [1, [2]] } } }) { c } }', 7],
    // Brackets in strings, block strings and comments do not nest.
    ['{ a(s: "{{{[[[(((") }', 2],
    ['{ a(s: "\\"{{{") }', 2],
    ['{ a(s: """ {{{ \\""" [[[ """) }', 2],
    ['# {{{{\n{ a }', 1],
    ['{ a } # [[[[', 1],
    // Unbalanced or unterminated input is measured as far as it goes; the parser reports it.
    ['}}} { a }', 1],
    ['{ a(s: "{{{', 2],
    ['{ a(s: """ {{{', 2],
  ])('%j nests %i deep', (text, depth) => {
    expect(documentNesting(text)).toBe(depth);
  });

  it('measures 100,000 open brackets', () => {
    expect(documentNesting('[['.repeat(50_000))).toBe(100_000);
  });
});

describe('valueNesting', () => {
  it.each([
    [1, 0],
    ['[[[', 0],
    [null, 0],
    [{}, 1],
    [[1, [2, [3]], { a: { b: [] } }], 4],
  ])('%j nests %i deep', (value, depth) => {
    expect(valueNesting(value)).toBe(depth);
  });

  it('measures an array nested 100,000 deep without recursion', () => {
    expect(valueNesting(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(100_000);
  });
});
