/**
 * Soak (issue 9, item 2): 2,000 distinct large requests over real HTTP on real Postgres,
 * each with an `in` list of 1,000 distinct 100-character strings (within maxInList), then the
 * heap after GC must be within 1.5x of cache.maxBytes above the baseline taken after
 * start-up. Before the cache counted plans and memos, and before the plan memo had a byte
 * bound, each request left about half a megabyte behind (its plan in the memo, its core and
 * canonical JSON in a cache entry) while the cache's byte figure saw only a one-row table.
 *
 * GC is exposed in this worker at run time (v8 flag + a fresh context's `gc`), so the
 * suite needs no special Node flags. The figure is heapUsed plus ArrayBuffers (Arrow).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_memory_bounds';
const REQUESTS = 2_000;
const VALUES = 1_000;
const CONCURRENCY = 6;
const MAX_BYTES = 16 * 1024 ** 2;
const admin = await connectTestPostgres();

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Retained memory: what survives full collections (heap objects and ArrayBuffers). */
async function retainedBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

// Totals only: one source query per request (a rows plan would add an EXPLAIN), so the soak
// spends its time in the gateway, where the memory goes.
const QUERY = 'query($where: FactsWhere) { facts(where: $where) { totals { revenue } meta { cache } } }';
/** Request `n`: 500 strings of 100 characters, all of them unique to this request. */
const whereOf = (n: number) => ({ product: { in: Array.from({ length: VALUES }, (_, i) => `${n}/${i}/`.padEnd(100, 'p')) } });

describe.skipIf(!admin)(`memory is bounded by cache.maxBytes (${MAX_BYTES / 1024 ** 2} MB)`, () => {
  let gw: TestGateway;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.facts as
      select g as id, (array['North','South','East','West'])[1 + g % 4] as region,
        -- a few products match request n's list: its first values are '<n>/0/ppp…'
        (g % 50) || '/0/' || repeat('p', 100 - length((g % 50) || '/0/')) as product, g % 100 as amount
      from generate_series(1, 2000) g`);
    gw = await startTestGateway(`
cache: { enabled: true, maxBytes: ${MAX_BYTES} }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  facts:
    source: warehouse
    table: ${SCHEMA}.facts
    dimensions: { region: { type: string }, product: { type: string } }
    measures: { revenue: { sum: amount } }
`);
  });

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  const ask = async (n: number) => {
    const response = await gw.query(QUERY, { where: whereOf(n) });
    expect(response.errors, `request ${n}`).toBeUndefined();
    return response.data.facts as { totals: { revenue: number | null }; meta: { cache: string } };
  };

  it(`${REQUESTS} distinct requests with ${VALUES}-value in lists leave at most 1.5x maxBytes behind`, async () => {
    // Warm up every code path (parsing, planning, the pool, derivation) before the baseline.
    for (let n = -20; n < 0; n++) await ask(n);
    gw.gateway.cache.invalidate();
    const baseline = await retainedBytes();

    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const n = next++;
        const answer = await ask(n);
        if (n < 50 && n % 10 === 0) expect(answer.totals.revenue).toBeGreaterThan(0); // the lists do match rows
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;

    const grown = (await retainedBytes()) - baseline;
    const counted = gw.gateway.cache.store.bytes;
    console.log(
      `memoryBounds: ${REQUESTS} requests in ${seconds.toFixed(1)} s; retained growth ${(grown / 1024 ** 2).toFixed(1)} MB ` +
        `(bound ${((1.5 * MAX_BYTES) / 1024 ** 2).toFixed(1)} MB); cache counts ${(counted / 1024 ** 2).toFixed(1)} MB in ${gw.gateway.cache.store.entries} entries`,
    );
    expect(counted).toBeLessThanOrEqual(MAX_BYTES);
    expect(grown).toBeLessThanOrEqual(1.5 * MAX_BYTES);
    // The cache still works: the last request is answered from it.
    expect((await ask(REQUESTS - 1)).meta.cache).toBe('HIT');
  }, 90_000);
});
