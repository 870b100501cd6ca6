import { describe, expect, it } from 'vitest';
import { VersionQueue } from './VersionQueue.ts';

describe('VersionQueue', () => {
  it('hands a waiting consumer each version, and ends after the last', async () => {
    const queue = new VersionQueue<{ n: number }>(() => {});
    const first = queue.next();
    queue.push({ n: 1 }, false);
    expect(await first).toEqual({ value: { n: 1 }, done: false });
    queue.push({ n: 2 }, true);
    expect(await queue.next()).toEqual({ value: { n: 2 }, done: false });
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('keeps only the newest version for a consumer that has not asked yet', async () => {
    const queue = new VersionQueue<{ n: number }>(() => {});
    queue.push({ n: 1 }, false);
    queue.push({ n: 2 }, false);
    queue.push({ n: 3 }, true);
    expect((await queue.next()).value).toEqual({ n: 3 });
    expect((await queue.next()).done).toBe(true);
  });

  it('cancels once when the consumer leaves before the end, and never after it', async () => {
    let cancelled = 0;
    const queue = new VersionQueue<{ n: number }>(() => cancelled++);
    const waiting = queue.next();
    await queue.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await queue.return();
    expect(cancelled).toBe(1);
    const ended = new VersionQueue<{ n: number }>(() => cancelled++);
    ended.push({ n: 1 }, true);
    await ended.return();
    expect(cancelled).toBe(1);
  });

  it('rejects the next read with the failure, then ends', async () => {
    const queue = new VersionQueue<{ n: number }>(() => {});
    queue.fail(new Error('source down'));
    await expect(queue.next()).rejects.toThrow('source down');
    expect((await queue.next()).done).toBe(true);
  });
});
