import { describe, expect, it } from 'vitest';
import { TributaryError } from '../errors/index.ts';
import { FeedSupervisor } from './FeedSupervisor.ts';

/** A feed whose attempts the test settles by hand; records each attempt's signal. */
function fakeFeed() {
  const attempts: { signal: AbortSignal; succeed: () => void; fail: (e: Error) => void }[] = [];
  let stops = 0;
  const supervisor = new FeedSupervisor({
    stream: 'orders',
    connectTimeoutMs: 200,
    firstRetryMs: 60_000, // retries in these tests are started by ready(), not by the timer
    start: (signal) =>
      new Promise<void>((resolve, reject) => {
        attempts.push({ signal, succeed: resolve, fail: reject });
      }),
    stop: async () => void stops++,
    log: () => {},
  });
  return { supervisor, attempts, stops: () => stops };
}

describe('FeedSupervisor', () => {
  it('a start that never settles fails its waiters with SOURCE_UNAVAILABLE at connectTimeout, and the attempt is aborted', async () => {
    const { supervisor, attempts } = fakeFeed();
    const started = Date.now();
    const error = await supervisor.ready().catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(TributaryError);
    expect((error as TributaryError).extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'orders' });
    expect((error as TributaryError).message).toBe('stream orders is unavailable');
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(supervisor.state).toBe('retrying');
    await supervisor.close();
  });

  it('waiters share one attempt; a waiter during the backoff wait starts the next one at once, which can succeed', async () => {
    const { supervisor, attempts } = fakeFeed();
    const a = supervisor.ready();
    const b = supervisor.ready();
    expect(attempts).toHaveLength(1);
    attempts[0]!.fail(new Error('ECONNREFUSED 10.0.0.1:9092'));
    await expect(a).rejects.toMatchObject({ message: 'stream orders is unavailable' });
    await expect(b).rejects.toBeInstanceOf(TributaryError);
    expect(supervisor.state).toBe('retrying');
    const c = supervisor.ready();
    expect(attempts).toHaveLength(2);
    attempts[1]!.succeed();
    await c;
    expect(supervisor.state).toBe('running');
    await supervisor.ready(); // running: no new attempt
    expect(attempts).toHaveLength(2);
    await supervisor.close();
  });

  it('close() aborts an attempt under way, fails its waiters, stops the feed, and refuses later waiters', async () => {
    const { supervisor, attempts, stops } = fakeFeed();
    const waiting = supervisor.ready().catch((e: unknown) => e);
    await supervisor.close();
    expect(attempts[0]!.signal.aborted).toBe(true);
    expect(await waiting).toBeInstanceOf(TributaryError);
    expect(stops()).toBe(1);
    expect(supervisor.state).toBe('closed');
    await expect(supervisor.ready()).rejects.toBeInstanceOf(TributaryError);
  });
});
