import { canonicalJson } from './canonicalJson.ts';

/**
 * What a plan keeps alive, in bytes, estimated by walking it: its objects, arrays and
 * strings, plus the canonical text canonicalJson remembers for every frozen sub-tree. That
 * text is repeated once per nesting level (an `in` list's text lives in the list's entry,
 * the filter's, each enclosing `and`'s and the plan's), so a fixed bytes-per-character
 * ratio undercounts deep filters; the walk counts each level. Sub-trees shared within the
 * plan are counted once; strings shared with other plans are counted by each (an estimate
 * that errs high). Plans are keyed by their text anyway, so asking for it here costs a
 * lookup; a frozen sub-tree not yet printed gets its text now, and that is counted.
 */
export function planBytes(plan: unknown): number {
  let bytes = 0;
  const seen = new Set<object>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      bytes += stringBytes(value);
      return;
    }
    if (typeof value === 'number') {
      bytes += 16; // a heap number, or a slot
      return;
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    // Frozen sub-trees have their text remembered (computed here if the key was not yet).
    if (Object.isFrozen(value) && !(value instanceof Map)) bytes += stringBytes(canonicalJson(value));
    if (Array.isArray(value)) {
      bytes += 32 + 8 * value.length;
      for (const item of value) visit(item);
    } else if (value instanceof Map) {
      bytes += 64 + 32 * value.size;
      for (const [key, item] of value) {
        visit(key);
        visit(item);
      }
    } else {
      const keys = Object.keys(value);
      bytes += 24 + 8 * keys.length;
      for (const key of keys) visit((value as Record<string, unknown>)[key]);
    }
  };
  visit(plan);
  // Measured within 1-11% below the heap a plan retains (small plans furthest): margin added.
  return Math.ceil(bytes * 1.125) + 512;
}

/** A V8 string: a header, then one byte per character, or two once any is above U+00FF. */
export function stringBytes(text: string): number {
  // eslint-disable-next-line no-control-regex
  return 16 + (/[^\u0000-\u00ff]/.test(text) ? 2 : 1) * text.length;
}
