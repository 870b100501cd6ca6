/**
 * L2Cache on the real Redis, below the gateway: a core written is listed in its dataset's
 * index and loads back equal, with its ttl; a write from before an invalidation is refused;
 * cores over maxEntryBytes stay out; a changed model reads nothing of the old one; an
 * invalidation reaches another replica's listener.
 */
import { Table } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { L2Cache, type L2Observer } from '../cache/l2/index.ts';
import { planKey, type CorePlan } from '../planner/index.ts';
import { parseConfig, type Config, type L2Config } from '../schema/index.ts';
import { resultVector } from '../sources/index.ts';
import { connectTestRedis, deletePrefix, TEST_REDIS_URL, uniquePrefix } from './support/redis.ts';
import { waitFor } from './support/waitFor.ts';

const redis = await connectTestRedis();
const prefix = uniquePrefix('store');

const config = (measure = 'sum: amount'): Config =>
  parseConfig(`
sources:
  warehouse: { kind: postgres, url: "postgres://x@127.0.0.1/db" }
datasets:
  sales:
    source: warehouse
    table: s.sales
    dimensions: { region: { type: string } }
    measures: { revenue: { ${measure} } }
`);

const CORE: CorePlan = Object.freeze({
  kind: 'core',
  dataset: 'sales',
  dimensions: Object.freeze([Object.freeze({ name: 'region', type: 'string', granularity: null, key: 'region' })]),
  measures: Object.freeze([Object.freeze({ measure: 'revenue', fn: 'sum', key: 'revenue.sum' })]),
  filter: null,
  security: Object.freeze([]),
  pushdown: null,
} as const);

const TABLE = new Table({
  region: resultVector('string', 3, (i) => ['North', null, 'West'][i]),
  'revenue.sum': resultVector('number', 3, (i) => [10.5, 2, null][i]),
});

function counting(): L2Observer & { writes: string[]; reads: string[] } {
  const writes: string[] = [];
  const reads: string[] = [];
  return { writes, reads, read: (r) => reads.push(r), write: (r) => writes.push(r), wait: () => {}, message: () => {}, status: () => {} };
}

const L2: L2Config = { redis: TEST_REDIS_URL, prefix, maxEntryBytes: 1024 ** 2, timeoutMs: 500, lockTimeoutMs: 5_000, maxWaitMs: 10_000 };

describe.skipIf(!redis)('L2Cache on the real Redis', () => {
  const opened: L2Cache[] = [];
  const open = (c = config(), l2 = L2, observer = counting()) => {
    const cache = new L2Cache(l2, c.datasets, observer);
    opened.push(cache);
    return { cache, observer, dataset: c.datasets.sales! };
  };

  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    await deletePrefix(redis!, prefix);
    redis!.disconnect();
  });

  it('lists a written core in the index and loads it back equal, with its ttl', async () => {
    const { cache, observer, dataset } = open();
    await waitFor('connected', () => cache.status === 'ok');
    const view = (await cache.view(dataset))!;
    expect(view.candidates).toEqual([]);
    await cache.write(dataset, view.gen, { key: planKey(CORE), core: CORE, table: TABLE, createdAt: 1234 }, 60_000);
    expect(observer.writes).toEqual(['stored']);

    const { cache: other, dataset: otherDataset } = open();
    await waitFor('connected', () => other.status === 'ok');
    const seen = (await other.view(otherDataset))!;
    expect(seen.gen).toBe(view.gen);
    expect(seen.candidates).toEqual([{ key: planKey(CORE), core: CORE, rows: 3, createdAt: 1234 }]);
    const loaded = (await other.load(otherDataset, seen.gen, planKey(CORE)))!;
    expect(loaded.table.toArray().map((r) => r.toJSON())).toEqual(TABLE.toArray().map((r) => r.toJSON()));
    expect(loaded.ttlMs).toBeGreaterThan(50_000);
    expect(loaded.ttlMs).toBeLessThanOrEqual(60_000);
  });

  it('refuses a write whose generation an invalidation replaced, and drops the old generation', async () => {
    const { cache, observer, dataset } = open();
    await waitFor('connected', () => cache.status === 'ok');
    const before = (await cache.view(dataset))!;
    expect(before.candidates.length).toBe(1); // the first test's core
    await cache.invalidate('sales');
    const after = (await cache.view(dataset))!;
    expect(after.gen).not.toBe(before.gen);
    expect(after.candidates).toEqual([]);
    expect(await cache.load(dataset, before.gen, planKey(CORE))).toBeNull(); // unlinked, not merely unlisted
    await cache.write(dataset, before.gen, { key: planKey(CORE), core: CORE, table: TABLE, createdAt: 1 }, 60_000);
    expect(observer.writes).toEqual(['stale']);
    expect((await cache.view(dataset))!.candidates).toEqual([]);
  });

  it('keeps cores over maxEntryBytes out of Redis', async () => {
    const { cache, observer, dataset } = open(config(), { ...L2, maxEntryBytes: 64 });
    await waitFor('connected', () => cache.status === 'ok');
    const view = (await cache.view(dataset))!;
    await cache.write(dataset, view.gen, { key: planKey(CORE), core: CORE, table: TABLE, createdAt: 1 }, 60_000);
    expect(observer.writes).toEqual(['too_large']);
    expect((await cache.view(dataset))!.candidates).toEqual([]);
  });

  it('gives a changed model its own namespace: it never reads the old bytes', async () => {
    const { cache, dataset } = open();
    await waitFor('connected', () => cache.status === 'ok');
    const view = (await cache.view(dataset))!;
    await cache.write(dataset, view.gen, { key: planKey(CORE), core: CORE, table: TABLE, createdAt: 1 }, 60_000);
    const { cache: changed, dataset: changedDataset } = open(config('sum: price'));
    await waitFor('connected', () => changed.status === 'ok');
    expect((await changed.view(changedDataset))!.candidates).toEqual([]);
    expect((await cache.view(dataset))!.candidates.length).toBe(1);
  });

  it("tells another replica's listener about an invalidation", async () => {
    const { cache } = open();
    const { cache: other } = open();
    const heard: string[] = [];
    other.listen({ invalidate: (d) => heard.push(d), drop: () => {} });
    await waitFor('both connected and subscribed', () => cache.status === 'ok' && other.status === 'ok');
    // Subscribing is asynchronous: invalidate until the other replica hears one.
    await waitFor('the other replica heard the invalidation', async () => {
      await cache.invalidate('sales');
      return heard.includes('sales');
    }, 5_000, 50);
  });
});
