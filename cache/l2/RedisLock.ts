import { randomUUID } from 'node:crypto';
import type { RedisLink } from './RedisLink.ts';

export type WaitResult = 'served' | 'takeover' | 'timeout';

export interface ExclusiveOptions<T> {
  readonly link: RedisLink;
  readonly lockKey: string;
  /** The lock's life without renewal: a crashed holder frees it after this. */
  readonly ttlMs: number;
  /** The longest this replica waits for another's source query before running its own. */
  readonly maxWaitMs: number;
  readonly signal: AbortSignal;
  /** The source query; its L2 writes are awaited through `written` before the lock goes. */
  readonly run: () => Promise<T>;
  readonly written: () => Promise<unknown>;
  /** The result another replica stored, if it is in L2 now. */
  readonly recheck: () => Promise<T | null>;
  readonly observe: (result: WaitResult) => void;
}

/**
 * Single flight across replicas. The first replica to take the lock (SET NX PX, renewed
 * while its source query runs, released by its token) runs `run`; the others poll the lock
 * and, once it is gone, read the result from L2 (`recheck`). A holder that failed releases
 * the lock and one waiter takes over; a crashed one stops renewing and its lock expires.
 * Redis failing at any point means `run` now: the lock saves source queries, it is never
 * needed for an answer. Every wait has a deadline (maxWaitMs) and ends with the signal.
 */
export async function runExclusive<T>(options: ExclusiveOptions<T>): Promise<T> {
  const { link, signal } = options;
  const deadline = Date.now() + options.maxWaitMs;
  let waited = false;
  for (;;) {
    signal.throwIfAborted();
    if (!link.healthy()) return options.run();
    const token = await acquireLock(link, options.lockKey, options.ttlMs).catch(() => undefined);
    if (token === undefined) return options.run();
    if (token !== null) {
      return holdLock(options, token, async () => {
        // The previous holder may have stored the result between this replica's lookup and its lock.
        const found = await options.recheck().catch(() => null);
        if (found) return { value: found, ran: false };
        if (waited) options.observe('takeover');
        return { value: await options.run(), ran: true };
      });
    }
    waited = true;
    const free = await waitUntilFree(link, options.lockKey, deadline, signal).catch((error) => {
      if (signal.aborted) throw error;
      return null; // Redis failed: go to the source
    });
    if (free === null) return options.run();
    if (!free) {
      options.observe('timeout');
      return options.run();
    }
    const found = await options.recheck().catch(() => null);
    if (found) {
      options.observe('served');
      return found;
    }
  }
}

/** SET NX PX: the token when this caller now holds the lock, null when another does. */
export async function acquireLock(link: RedisLink, key: string, ttlMs: number): Promise<string | null> {
  const token = randomUUID();
  const reply = await link.watch(link.commands.set(key, token, 'PX', ttlMs, 'NX'));
  return reply === 'OK' ? token : null;
}

/** Deletes the lock if `token` still holds it; true when it did. */
export async function releaseLock(link: RedisLink, key: string, token: string): Promise<boolean> {
  return (await link.script('l2Release', [key], [token])) === 1;
}

async function holdLock<T>(options: ExclusiveOptions<T>, token: string, body: () => Promise<{ value: T; ran: boolean }>): Promise<T> {
  const { link, lockKey, ttlMs } = options;
  const renew = setInterval(() => void link.script('l2Extend', [lockKey], [token, ttlMs]).catch(() => {}), Math.max(50, Math.floor(ttlMs / 3)));
  renew.unref();
  const release = () => {
    clearInterval(renew);
    return releaseLock(link, lockKey, token).catch(() => false); // unreachable Redis: the lock expires
  };
  let result: { value: T; ran: boolean };
  try {
    result = await body();
  } catch (error) {
    void release();
    throw error;
  }
  // Waiters read the result from L2 once the lock is gone: release it after the writes.
  // The holder's own callers do not wait for that.
  if (result.ran) void options.written().then(release, release);
  else void release();
  return result.value;
}

/** Polls the lock (5 ms, backing off to 100 ms): true once it is gone, false at the deadline. */
async function waitUntilFree(link: RedisLink, key: string, deadline: number, signal: AbortSignal): Promise<boolean> {
  let every = 5;
  for (;;) {
    if ((await link.watch(link.commands.exists(key))) === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(every, Math.max(1, deadline - Date.now())), signal);
    every = Math.min(100, every * 1.5);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
