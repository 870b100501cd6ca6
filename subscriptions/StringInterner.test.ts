import { describe, expect, it } from 'vitest';
import { StringInterner } from './StringInterner.ts';

describe('StringInterner', () => {
  it('returns the first copy of an equal string', () => {
    const interner = new StringInterner();
    const first = JSON.parse('{"r":"North America"}').r as string;
    const second = JSON.parse('{"r":"North America"}').r as string;
    expect(interner.intern(first)).toBe(first);
    expect(interner.intern(second)).toBe(first);
    expect(interner.intern('Europe')).toBe('Europe');
  });

  it('keeps at most capacity strings and passes the rest through unchanged', () => {
    const interner = new StringInterner(2);
    expect(interner.intern('a')).toBe('a');
    expect(interner.intern('b')).toBe('b');
    const c = ['c', 'x'].join('');
    expect(interner.intern(c)).toBe(c);
    expect(interner.intern('cx')).toBe('cx');
    // 'a' is still shared after the capacity is reached
    expect(interner.intern(['a'].join(''))).toBe('a');
  });
});
