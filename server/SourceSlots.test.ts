import { describe, expect, it } from 'vitest';
import { createSourceSlots } from './SourceSlots.ts';

/** A piece of source work the test finishes by hand, so no timing decides the outcome. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets every already-settled promise continuation run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createSourceSlots (server.limits.maxSourceQueriesPerRequest)', () => {
  it('runs at most `size` at once and starts the rest in arrival order as slots free', async () => {
    const slots = createSourceSlots(3);
    const works = Array.from({ length: 10 }, () => deferred());
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const done = works.map((w, i) =>
      slots.run(async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await w.promise;
        running--;
        return i;
      }),
    );
    await settle();
    expect(started).toEqual([0, 1, 2]);
    works[1]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3]);
    works[0]!.resolve();
    works[2]!.resolve();
    await settle();
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    works.forEach((w) => w.resolve());
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most).toBe(3);
  });

  it('frees the slot of work that fails, and passes the failure to its caller only', async () => {
    const slots = createSourceSlots(1);
    const first = deferred();
    const failing = slots.run(() => first.promise);
    const next = slots.run(async () => 'ran');
    first.reject(new Error('source down'));
    await expect(failing).rejects.toThrow('source down');
    await expect(next).resolves.toBe('ran');
  });

  it('frees the slot of work that throws before returning a promise', async () => {
    const slots = createSourceSlots(1);
    await expect(slots.run(() => { throw new Error('compile failed'); })).rejects.toThrow('compile failed');
    await expect(slots.run(async () => 'ran')).resolves.toBe('ran');
  });

  it('keeps `size` slots after many rounds (no slot leaks or is created)', async () => {
    const slots = createSourceSlots(2);
    for (let round = 0; round < 5; round++) {
      const works = Array.from({ length: 4 }, () => deferred());
      let running = 0;
      let most = 0;
      const done = works.map((w) =>
        slots.run(async () => {
          most = Math.max(most, ++running);
          try {
            await w.promise;
          } finally {
            running--;
          }
        }),
      );
      await settle();
      expect(running).toBe(2);
      works.forEach((w, i) => (i % 2 ? w.reject(new Error('x')) : w.resolve()));
      await Promise.allSettled(done);
      expect(most).toBe(2);
    }
  });
});
