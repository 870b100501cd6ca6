import { afterAll, describe, expect, it } from 'vitest';
import { PGliteSource } from './PGliteSource.ts';

describe('PGliteSource: one query at a time, in order', () => {
  const source = new PGliteSource({ kind: 'pglite', name: 'embedded', dataDir: null, statementTimeoutMs: 30_000 });
  afterAll(() => source.close());
  const counted = { sql: "select nextval('started')::float8 as n", params: [], columns: [{ name: 'n', type: 'number' as const }] };

  it('skips a query whose request aborted while it waited for its turn, and runs the next', async () => {
    await source.execute({ sql: 'create sequence started', params: [], columns: [] });
    const controller = new AbortController();
    const first = source.execute({ sql: 'select count(*)::float8 as n from generate_series(1, 200000)', params: [], columns: [{ name: 'n', type: 'number' }] });
    const skipped = source.execute(counted, { signal: controller.signal });
    const third = source.execute(counted);
    // The client leaves while the first query runs: the second has not started, and must not.
    void first.then(() => controller.abort(new Error('the client left')));
    await expect(skipped).rejects.toMatchObject({ extensions: { code: 'SOURCE_TIMEOUT' } });
    expect((await first).get(0)!.toJSON()).toEqual({ n: 200000 });
    // The skipped query never ran: the sequence's first value went to the third.
    expect((await third).get(0)!.toJSON()).toEqual({ n: 1 });
  });
});
