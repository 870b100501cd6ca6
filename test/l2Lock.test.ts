/**
 * The cross-replica lock on the real Redis: release by token only, single flight between
 * two links, takeover after a failed holder and after a crashed one (a lock nobody renews),
 * and a straight source query when Redis cannot be asked.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, RedisLink, releaseLock, runExclusive } from '../cache/l2/index.ts';
import { connectTestRedis, deletePrefix, TEST_REDIS_URL, uniquePrefix } from './support/redis.ts';
import { waitFor } from './support/waitFor.ts';

const admin = await connectTestRedis();
const prefix = uniquePrefix('lock');

function link(url = TEST_REDIS_URL): RedisLink {
  return new RedisLink({ url, timeoutMs: 500, channel: `${prefix}events`, onMessage: () => {}, onSubscribed: () => {}, onStatus: () => {} });
}

describe.skipIf(!admin)('L2 lock across replicas (real Redis)', () => {
  const a = link();
  const b = link();

  afterAll(async () => {
    await a.close();
    await b.close();
    await deletePrefix(admin!, prefix);
    admin!.disconnect();
  });

  it('is released only by the token that holds it', async () => {
    await waitFor('both links up', () => a.healthy() && b.healthy());
    const key = `${prefix}l:token`;
    const token = await acquireLock(a, key, 10_000);
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    expect(await acquireLock(b, key, 10_000)).toBeNull();
    expect(await releaseLock(b, key, 'not-the-token')).toBe(false);
    expect(await admin!.get(key)).toBe(token);
    expect(await releaseLock(a, key, token!)).toBe(true);
    expect(await admin!.exists(key)).toBe(0);
    expect(await releaseLock(a, key, token!)).toBe(false); // released twice: a no-op
  });

  it('runs the work once for two replicas: the waiter reads what the holder stored', async () => {
    const key = `${prefix}l:once`;
    let runs = 0;
    let stored: string | null = null;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const waits: string[] = [];
    const common = { lockKey: key, ttlMs: 5_000, maxWaitMs: 10_000, signal: new AbortController().signal, written: async () => {}, recheck: async () => stored, observe: (r: string) => waits.push(r) };
    const first = runExclusive({ ...common, link: a, run: async () => (runs++, await gate, (stored = 'rows'), 'rows') });
    await waitFor('the first replica holds the lock', async () => (await admin!.exists(key)) === 1);
    const second = runExclusive({ ...common, link: b, run: async () => (runs++, 'second ran') });
    release();
    expect(await Promise.all([first, second])).toEqual(['rows', 'rows']);
    expect(runs).toBe(1);
    expect(waits).toEqual(['served']);
    await waitFor('the lock released after the write', async () => (await admin!.exists(key)) === 0);
  });

  it('lets a waiter take over when the holder fails, and release after', async () => {
    const key = `${prefix}l:fail`;
    let fail!: (error: Error) => void;
    const failing = new Promise<string>((_, reject) => (fail = reject));
    failing.catch(() => {}); // awaited by the holder once it runs; rejected maybe before
    const waits: string[] = [];
    const common = { lockKey: key, ttlMs: 5_000, maxWaitMs: 10_000, signal: new AbortController().signal, written: async () => {}, recheck: async () => null, observe: (r: string) => waits.push(r) };
    const first = runExclusive({ ...common, link: a, run: () => failing });
    await waitFor('the first replica holds the lock', async () => (await admin!.exists(key)) === 1);
    const second = runExclusive({ ...common, link: b, run: async () => 'taken over' });
    fail(new Error('source failed'));
    await expect(first).rejects.toThrow('source failed');
    expect(await second).toBe('taken over');
    expect(waits).toEqual(['takeover']);
    await waitFor('the lock released', async () => (await admin!.exists(key)) === 0);
  });

  it('lets a waiter take over from a crashed holder once its lock expires', async () => {
    const key = `${prefix}l:crashed`;
    await admin!.set(key, 'a-crashed-replica', 'PX', 400); // held, and never renewed or released
    const waits: string[] = [];
    const started = Date.now();
    const result = await runExclusive({
      link: b, lockKey: key, ttlMs: 5_000, maxWaitMs: 10_000, signal: new AbortController().signal,
      run: async () => 'mine', written: async () => {}, recheck: async () => null, observe: (r) => waits.push(r),
    });
    expect(result).toBe('mine');
    expect(waits).toEqual(['takeover']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300); // it did wait for the expiry, not run at once
  });

  it('renews the lock while the holder works past its ttl', async () => {
    const key = `${prefix}l:renew`;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holder = runExclusive({
      link: a, lockKey: key, ttlMs: 300, maxWaitMs: 10_000, signal: new AbortController().signal,
      run: async () => (await gate, 'done'), written: async () => {}, recheck: async () => null, observe: () => {},
    });
    await waitFor('the lock is held', async () => (await admin!.exists(key)) === 1);
    const heldAt = Date.now();
    // Held more than twice its 300 ms ttl: only renewals (every 100 ms) keep it.
    await waitFor('the lock held past twice its ttl', async () => {
      expect(await admin!.exists(key)).toBe(1);
      return Date.now() - heldAt > 700;
    });
    release();
    expect(await holder).toBe('done');
  });

  it('runs the work at once when Redis cannot be asked', async () => {
    const dead = link('redis://127.0.0.1:1'); // nothing listens there
    try {
      const result = await runExclusive({
        link: dead, lockKey: `${prefix}l:dead`, ttlMs: 5_000, maxWaitMs: 10_000, signal: new AbortController().signal,
        run: async () => 'from the source', written: async () => {}, recheck: async () => null, observe: () => {},
      });
      expect(result).toBe('from the source');
    } finally {
      await dead.close();
    }
  });
});
