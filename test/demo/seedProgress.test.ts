/**
 * Issue 9: seeding progress appears while the work happens. PGlite settles its promises as
 * microtasks, so a seed that never yields gives the event loop no turn until it is done,
 * and output that needs one (the pino logger's asynchronous stderr, a socket) comes out
 * all at once at the end. The sink here is such output: a line counts as arrived when a
 * macrotask after the log call has run.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteRunner } from '../../demo/openDemoDatabase.ts';
import { SEED_CHUNK_ROWS, seedSales } from '../../demo/seedSales.ts';

describe('seedSales progress', () => {
  let lite: PGlite;
  beforeAll(async () => {
    lite = await PGlite.create();
  });
  afterAll(async () => {
    await lite?.close();
  });

  it('each progress line reaches an asynchronous sink before the next chunk is inserted, and before the seed ends', async () => {
    const events: string[] = [];
    const rows = 2 * SEED_CHUNK_ROWS + 1; // three chunks
    const seeding = seedSales(pgliteRunner(lite), {
      rows,
      table: 'progress_sales',
      onProgress: (p) => {
        events.push(`logged ${p.done}`);
        setImmediate(() => events.push(`arrived ${p.done}`));
      },
    });
    await seeding;
    events.push('seeded');
    await new Promise((resolve) => setImmediate(resolve)); // let any held-back line arrive, to show the order
    expect(events).toEqual([
      `logged ${SEED_CHUNK_ROWS}`,
      `arrived ${SEED_CHUNK_ROWS}`,
      `logged ${2 * SEED_CHUNK_ROWS}`,
      `arrived ${2 * SEED_CHUNK_ROWS}`,
      `logged ${rows}`,
      `arrived ${rows}`,
      'seeded',
    ]);
  }, 60_000);
});
