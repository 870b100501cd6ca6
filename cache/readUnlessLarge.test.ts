import { describe, expect, it } from 'vitest';
import { readUnlessLarge } from './readUnlessLarge.ts';

/** A promise the test settles, and the signal it was given. */
function controlled<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  let signal: AbortSignal | undefined;
  const start = (s: AbortSignal) => ((signal = s), new Promise<T>((res, rej) => ((resolve = res), (reject = rej))));
  return { start, resolve: (v: T) => resolve(v), reject: (e: unknown) => reject(e), signal: () => signal! };
}

describe('readUnlessLarge', () => {
  it('a yes that comes first cancels the read and gives null, even if the read never settles', async () => {
    const read = controlled<string>();
    const large = controlled<boolean>();
    const result = readUnlessLarge(read.start, large.start, new AbortController().signal);
    large.resolve(true);
    expect(await result).toBeNull();
    expect(read.signal().aborted).toBe(true);
  });

  it('a read that ends first is the answer, and the question is cancelled', async () => {
    const read = controlled<string>();
    const large = controlled<boolean>();
    const result = readUnlessLarge(read.start, large.start, new AbortController().signal);
    read.resolve('rows');
    expect(await result).toBe('rows');
    expect(large.signal().aborted).toBe(true);
  });

  it.each([
    ['a no', (q: ReturnType<typeof controlled<boolean>>) => q.resolve(false)],
    ['a failed question', (q: ReturnType<typeof controlled<boolean>>) => q.reject(new Error('EXPLAIN failed'))],
  ])('after %s the read goes on and answers', async (_, settle) => {
    const read = controlled<string>();
    const large = controlled<boolean>();
    const result = readUnlessLarge(read.start, large.start, new AbortController().signal);
    settle(large);
    await Promise.resolve();
    expect(read.signal().aborted).toBe(false);
    read.resolve('rows');
    expect(await result).toBe('rows');
  });

  it('a read that fails on its own rejects with its error', async () => {
    const read = controlled<string>();
    const large = controlled<boolean>();
    const result = readUnlessLarge(read.start, large.start, new AbortController().signal);
    read.reject(new Error('source down'));
    await expect(result).rejects.toThrow('source down');
  });

  it("the caller's abort cancels both and rejects, even when the answer was a yes", async () => {
    const read = controlled<string>();
    const large = controlled<boolean>();
    const caller = new AbortController();
    const result = readUnlessLarge(read.start, large.start, caller.signal);
    caller.abort(new Error('client gone'));
    large.resolve(true);
    await expect(result).rejects.toThrow('client gone');
    expect(read.signal().aborted && large.signal().aborted).toBe(true);
  });
});
