import { describe, expect, it } from 'vitest';
import { canonicalJson, planKey } from './canonicalJson.ts';

describe('canonicalJson', () => {
  it.each([
    [{ b: 1, a: [2, { d: null, c: 'x' }] }, '{"a":[2,{"c":"x","d":null}],"b":1}'],
    [{ a: undefined, b: 1 }, '{"b":1}'],
    [[], '[]'],
    ['text', '"text"'],
    [Object.freeze({ z: Object.freeze([1, 2]), y: true }), '{"y":true,"z":[1,2]}'],
  ])('%j prints as %s', (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });

  it('prints equal data the same whatever the key order, frozen or not', () => {
    const a = Object.freeze({ kind: 'in', field: 'f', values: Object.freeze(['a']), negated: false });
    const b = { negated: false, values: ['a'], field: 'f', kind: 'in' };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(planKey(a)).toBe(planKey(b));
  });

  it('does not remember mutable objects', () => {
    const value: Record<string, number> = { a: 1 };
    expect(canonicalJson(value)).toBe('{"a":1}');
    value.a = 2;
    expect(canonicalJson(value)).toBe('{"a":2}');
  });
});
