import { describe, expect, it } from 'vitest';
import { createSingleFlight } from './singleFlight.ts';

/** Work that settles only when told, and shows the signal it was given. */
function controllable() {
  const runs: { signal: AbortSignal; resolve: (v: string) => void }[] = [];
  const work = (signal: AbortSignal) => new Promise<string>((resolve) => runs.push({ signal, resolve }));
  return { runs, work };
}

describe('createSingleFlight', { timeout: 5_000 }, () => {
  it('shares one run between callers and forgets the key when it settles', async () => {
    const flights = createSingleFlight<string>();
    const { runs, work } = controllable();
    const a = flights.run('k', work);
    const b = flights.run('k', work);
    expect([a.shared, b.shared, runs.length]).toEqual([false, true, 1]);
    runs[0]!.resolve('v');
    expect(await Promise.all([a.promise, b.promise])).toEqual(['v', 'v']);
    expect(flights.size).toBe(0);
  });

  it('a caller whose signal is already aborted starts no work and is refused with its reason', async () => {
    const flights = createSingleFlight<string>();
    const { runs, work } = controllable();
    const { promise } = flights.run('k', work, AbortSignal.abort(new Error('gone')));
    await expect(promise).rejects.toThrow('gone');
    expect(runs).toHaveLength(0);
    expect(flights.size).toBe(0);
  });

  it('a caller that arrives already aborted does not keep the waiting count up', async () => {
    const flights = createSingleFlight<string>();
    const { runs, work } = controllable();
    const first = new AbortController();
    const a = flights.run('k', work, first.signal);
    const late = flights.run('k', work, AbortSignal.abort(new Error('late')));
    await expect(late.promise).rejects.toThrow('late');
    first.abort(new Error('first gone'));
    // The only live caller left: the source query must be cancelled.
    expect(runs[0]!.signal.aborted).toBe(true);
    runs[0]!.resolve('ignored');
    await a.promise;
  });

  it('a caller arriving after every waiter aborted starts a fresh flight instead of joining the doomed one', async () => {
    const flights = createSingleFlight<string>();
    const { runs, work } = controllable();
    const first = new AbortController();
    const a = flights.run('k', work, first.signal);
    first.abort(new Error('first gone'));
    expect(runs[0]!.signal.aborted).toBe(true);
    const b = flights.run('k', work, new AbortController().signal);
    expect(b.shared).toBe(false);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.signal.aborted).toBe(false);
    runs[1]!.resolve('fresh');
    expect(await b.promise).toBe('fresh');
    // The old flight settling late must not forget the key of the fresh one (already settled here).
    runs[0]!.resolve('stale');
    expect(await a.promise).toBe('stale');
    expect(flights.size).toBe(0);
  });
});
