/**
 * PlanCache against a scripted source: generations across invalidate, the bound on a
 * top-N without an estimate, and what an entry counts against maxBytes. The source's
 * fetches wait on gates the test opens, so every interleaving is forced, not hoped for.
 */
import { Float64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type AggregatePlan } from '../planner/index.ts';
import type { CacheConfig } from '../schema/index.ts';
import { DERIVE_TEST_DATASET as SALES, desc, f, plan } from './derive/deriveTestPlans.ts';
import type { SourceAccess } from './CacheContract.ts';
import { PlanCache } from './PlanCache.ts';

const CONFIG: CacheConfig = { enabled: true, maxBytes: 64 * 1024 ** 2, ttlMs: 600_000, maxCoreRows: 100 };
const BY_REGION = plan({ dims: ['region'], measures: ['revenue'] });
const TOP_5 = plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 5 });

/** A source of `groups` regions; `gated` fetches wait until the test calls `open()`. */
function scriptedSource(groups: number, { gated = false } = {}) {
  /** What was fetched; a bounded read shows as the plan with its bound as limit. */
  const fetched: AggregatePlan[] = [];
  let gates: (() => void)[] = [];
  const io: SourceAccess = {
    async fetch(p, _signal, options = {}) {
      fetched.push(options.maxRows === undefined ? p : { ...p, limit: options.maxRows });
      if (gated) await new Promise<void>((resolve) => gates.push(resolve));
      let rows = Array.from({ length: groups }, (_, i) => ({ region: `R${String(i).padStart(5, '0')}`, revenue: (i * 7919) % 1000 }));
      if (p.order.some((o) => o.field === 'revenue')) rows.sort((a, b) => b.revenue - a.revenue || (a.region < b.region ? -1 : 1));
      if (p.limit !== null) rows = rows.slice(p.offset, p.offset + p.limit);
      if (options.maxRows !== undefined) rows = rows.slice(0, options.maxRows);
      return new Table({
        region: vectorFromArray(rows.map((r) => r.region), new Utf8()),
        'revenue.sum': vectorFromArray(rows.map((r) => r.revenue), new Float64()),
      });
    },
  };
  const open = () => {
    const waiting = gates;
    gates = [];
    for (const resolve of waiting) resolve();
  };
  return { io, fetched, open, waiting: () => gates.length };
}

/** Resolves once `condition` holds; fails after a deadline instead of hanging. */
async function until(what: string, condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('PlanCache generations: a fetch in flight across invalidate', () => {
  it('answers its own caller but does not store its pre-invalidation rows', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(10, { gated: true });
    const first = cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    await until('the fetch to start', () => source.waiting() === 1);
    expect(cache.invalidate('sales')).toBe(0);
    source.open();
    expect((await first).outcome).toBe('MISS');
    expect(cache.store.entries).toBe(0);
    const again = cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    await until('the second fetch', () => source.waiting() === 1);
    source.open();
    expect((await again).outcome).toBe('MISS');
    expect(source.fetched).toHaveLength(2);
    expect(cache.store.entries).toBe(1);
  });

  it('an invalidation of every dataset counts too', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(10, { gated: true });
    const first = cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    await until('the fetch to start', () => source.waiting() === 1);
    cache.invalidate();
    source.open();
    await first;
    expect(cache.store.entries).toBe(0);
  });

  it('a request arriving after the invalidation does not join the old fetch', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(10, { gated: true });
    const before = cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    await until('the first fetch', () => source.waiting() === 1);
    cache.invalidate('sales');
    const after = cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    await until('a fetch of its own', () => source.waiting() === 2);
    source.open();
    await Promise.all([before, after]);
    expect(source.fetched).toHaveLength(2);
    expect(cache.store.entries).toBe(1);
  });

  it('a core remembered as large is read bounded again after an invalidation', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(5_000);
    await cache.answer(TOP_5, SALES, 'DEFAULT', source.io);
    cache.invalidate('sales');
    await cache.answer(TOP_5, SALES, 'DEFAULT', source.io);
    expect(source.fetched.map((p) => p.limit)).toEqual([101, 5, 101, 5]);
  });
});

describe('PlanCache: a request already aborted', () => {
  it('starts no source query and fails with SOURCE_TIMEOUT, joining no flight', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(10, { gated: true });
    const live = cache.answer(BY_REGION, SALES, 'DEFAULT', source.io, new AbortController().signal);
    await until('the live fetch', () => source.waiting() === 1);
    await expect(cache.answer(BY_REGION, SALES, 'DEFAULT', source.io, AbortSignal.abort())).rejects.toMatchObject({ code: 'SOURCE_TIMEOUT' });
    source.open();
    expect((await live).outcome).toBe('MISS');
    expect(source.fetched).toHaveLength(1);
  });
});

describe('PlanCache: the core of a top-N is read bounded', () => {
  it('a core larger than maxCoreRows is read up to maxCoreRows + 1 rows, then the top-N is pushed down', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(5_000);
    const answer = await cache.answer(TOP_5, SALES, 'DEFAULT', source.io);
    expect(source.fetched.map((p) => [p.limit, p.order.length > 0])).toEqual([[101, false], [5, true]]);
    expect(answer.table.numRows).toBe(5);
    expect(answer.table.getChild('revenue.sum')!.toArray()[0]).toBe(999);
    // The overflow is remembered: the next top-N of that core goes to the pushed flight at once (one round trip).
    await cache.answer(plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 3 }), SALES, 'DEFAULT', source.io);
    expect(source.fetched.slice(2).map((p) => p.limit)).toEqual([3]);
  });

  it('a core within maxCoreRows is fetched bounded and stored whole', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(40);
    await cache.answer(TOP_5, SALES, 'DEFAULT', source.io);
    expect(source.fetched.map((p) => p.limit)).toEqual([101]);
    const next = await cache.answer(plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 10 }), SALES, 'DEFAULT', source.io);
    expect(next.outcome).toBe('HIT');
    expect(source.fetched).toHaveLength(1);
  });
});

describe('PlanCache: what an entry counts against maxBytes', () => {
  it('counts its core plan: a large in-list core weighs what it holds, not its one-row table', async () => {
    const values = Array.from({ length: 2_000 }, (_, i) => `${i}`.padEnd(100, 'x'));
    const big = plan({ dims: ['region'], measures: ['revenue'], filter: f.in('channel', values) });
    const cache = new PlanCache(CONFIG);
    await cache.answer(big, SALES, 'DEFAULT', scriptedSource(1).io);
    const coreText = canonicalJson({ ...big, kind: 'core' }).length;
    expect(cache.store.bytes).toBeGreaterThan(3 * coreText);
    // A cache smaller than that core does not keep it.
    const small = new PlanCache({ ...CONFIG, maxBytes: 200 * 1024 });
    await small.answer(big, SALES, 'DEFAULT', scriptedSource(1).io);
    expect(small.store.entries).toBe(0);
  });

  it('counts the answers derived from it and the column encodings they left behind', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(90);
    await cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    const stored = cache.store.bytes;
    for (let limit = 1; limit <= 5; limit++) {
      expect((await cache.answer(plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit }), SALES, 'DEFAULT', source.io)).outcome).toBe('HIT');
    }
    expect(source.fetched).toHaveLength(1);
    expect(cache.store.bytes).toBeGreaterThan(stored);
    const [entry] = cache.store.entriesOf('sales');
    expect(cache.store.bytes).toBe(entry!.bytes);
    // Six answers, plus the codes and distinct values of `region` (90 strings) and the numbers of revenue.
    expect(entry!.bytes - entry!.baseBytes).toBeGreaterThan(90 * (4 + 16 + 6) + 90 * 8);
  });

  it('a repeated top-N of 10,000 rows is derived once: the second HIT returns the remembered table', async () => {
    const cache = new PlanCache({ ...CONFIG, maxCoreRows: 20_000 });
    const source = scriptedSource(12_000);
    await cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    const top = plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 10_000 });
    const first = await cache.answer(top, SALES, 'DEFAULT', source.io);
    const second = await cache.answer(top, SALES, 'DEFAULT', source.io);
    expect([first.outcome, second.outcome, first.table.numRows]).toEqual(['HIT', 'HIT', 10_000]);
    expect(second.table).toBe(first.table);
    expect(source.fetched).toHaveLength(1);
  });

  it('a derived answer that would take the entry past maxBytes is served but not remembered, and the entry stays', async () => {
    const source = scriptedSource(12_000);
    const probe = new PlanCache({ ...CONFIG, maxCoreRows: 20_000 });
    await probe.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    const base = probe.store.bytes;
    // Room for the entry and its column encodings, not for a 10,000-row copy on top.
    const cache = new PlanCache({ ...CONFIG, maxCoreRows: 20_000, maxBytes: Math.ceil(base * 1.6) });
    await cache.answer(BY_REGION, SALES, 'DEFAULT', source.io);
    const top = plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 10_000 });
    const first = await cache.answer(top, SALES, 'DEFAULT', source.io);
    const second = await cache.answer(top, SALES, 'DEFAULT', source.io);
    expect([first.outcome, second.outcome, second.table.numRows]).toEqual(['HIT', 'HIT', 10_000]);
    expect(second.table).not.toBe(first.table);
    expect(cache.store.entries).toBe(1);
    expect(cache.store.bytes).toBeLessThanOrEqual(Math.ceil(base * 1.6));
  });

  it('memos that outgrow the cache evict older entries, and the total stays within maxBytes', async () => {
    const cache = new PlanCache({ ...CONFIG, maxBytes: 48 * 1024 });
    const source = scriptedSource(90);
    for (let i = 0; i < 20; i++) {
      const filtered = plan({ dims: ['region'], measures: ['revenue'], filter: f.cmp('quantity', 'gt', i) });
      await cache.answer(filtered, SALES, 'DEFAULT', source.io);
      for (let limit = 1; limit <= 8; limit++) {
        await cache.answer(plan({ dims: ['region'], measures: ['revenue'], filter: f.cmp('quantity', 'gt', i), order: [desc('revenue')], limit }), SALES, 'DEFAULT', source.io);
      }
      expect(cache.store.bytes).toBeLessThanOrEqual(48 * 1024);
    }
    expect(cache.store.entries).toBeLessThan(20);
  });
});

describe('PlanCache: rows and totals that both miss share one fetch', () => {
  const TOTALS = plan({ measures: ['revenue'] });

  it('one fetch answers both, stores both cores, and concurrent callers join it', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(10, { gated: true });
    const first = cache.answerWithTotals(BY_REGION, TOTALS, SALES, 'DEFAULT', source.io);
    const second = cache.answerWithTotals(BY_REGION, TOTALS, SALES, 'DEFAULT', source.io);
    await until('the fetch to start', () => source.waiting() === 1);
    source.open();
    const [[rows, totals], [rowsAgain]] = await Promise.all([first, second]);
    expect(source.fetched).toHaveLength(1);
    expect([rows.outcome, totals.outcome, rowsAgain.outcome]).toEqual(['MISS', 'MISS', 'MISS']);
    expect(rows.table.numRows).toBe(10);
    const expected = Array.from({ length: 10 }, (_, i) => (i * 7919) % 1000).reduce((a, b) => a + b, 0);
    expect(totals.table.getChild('revenue.sum')!.get(0)).toBe(expected);
    expect(cache.store.entries).toBe(2);
    expect((await cache.answer(TOTALS, SALES, 'DEFAULT', source.io)).outcome).toBe('HIT');
  });

  it('a shared fetch in flight across invalidate answers its callers but stores nothing', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(10, { gated: true });
    const pending = cache.answerWithTotals(BY_REGION, TOTALS, SALES, 'DEFAULT', source.io);
    await until('the fetch to start', () => source.waiting() === 1);
    cache.invalidate('sales');
    source.open();
    const [rows, totals] = await pending;
    expect([rows.outcome, totals.outcome]).toEqual(['MISS', 'MISS']);
    expect(cache.store.entries).toBe(0);
  });

  it('a top-N whose core overflows the bound: rows pushed down, totals fetched on their own', async () => {
    const cache = new PlanCache(CONFIG);
    const source = scriptedSource(5_000);
    const [rows, totals] = await cache.answerWithTotals(TOP_5, TOTALS, SALES, 'DEFAULT', source.io);
    expect(source.fetched.map((p) => [p.dimensions.length, p.limit])).toEqual([
      [1, 101],
      [1, 5],
      [0, null],
    ]);
    expect(rows.table.numRows).toBe(5);
    expect(totals.table.numRows).toBe(1);
  });
});

describe('PlanCache with a source that estimates (Trino): the estimate runs beside the bounded read of a top-N core', () => {
  const withEstimate = (groups: number, estimate: (signal: AbortSignal) => Promise<number | null>, gated = false) => {
    const source = scriptedSource(groups, { gated });
    const asked: AggregatePlan[] = [];
    const signals: AbortSignal[] = [];
    const io: SourceAccess = {
      fetch: (p, signal, options) => (signals.push(signal), source.io.fetch(p, signal, options)),
      estimate: (p, signal) => (asked.push(p), estimate(signal)),
    };
    return { ...source, io, asked, signals };
  };

  it('an estimate of 10x maxCoreRows or more cancels the bounded read and pushes the top-N down; later top-Ns push down at once', async () => {
    const cache = new PlanCache(CONFIG);
    const source = withEstimate(5_000, async () => 1_000, true);
    const answer = cache.answer(TOP_5, SALES, 'DEFAULT', source.io);
    await until('the pushed-down fetch', () => source.fetched.length === 2);
    expect(source.signals[0]!.aborted).toBe(true); // the bounded read was cancelled
    expect(source.asked[0]!.limit).toBeNull(); // the plain core was estimated
    source.open();
    expect((await answer).table.numRows).toBe(5);
    expect(source.fetched.map((p) => [p.limit, p.order.length > 0])).toEqual([[CONFIG.maxCoreRows + 1, false], [5, true]]);
    const top3 = plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 3 });
    const again = cache.answer(top3, SALES, 'DEFAULT', source.io);
    await until('the second pushed-down fetch', () => source.fetched.length === 3);
    source.open();
    await again;
    expect(source.fetched[2]!.limit).toBe(3);
    expect(source.asked).toHaveLength(1);
    const top7 = plan({ dims: ['region'], measures: ['revenue'], order: [desc('revenue')], limit: 7 });
    expect(cache.decide(top7, SALES).pushdown?.reason).toMatch(/^the source estimates 1000 groups/);
  });

  it.each([
    ['an estimate under 10x maxCoreRows', async () => 999],
    ['no estimate', async () => null],
    ['a failed estimate', async () => Promise.reject(new Error('EXPLAIN failed'))],
  ])('after %s the bounded read answers, and the core is not estimated again', async (_, estimate) => {
    const cache = new PlanCache(CONFIG);
    const source = withEstimate(50, estimate);
    expect((await cache.answer(TOP_5, SALES, 'DEFAULT', source.io)).outcome).toBe('MISS');
    cache.store.clear();
    await cache.answer(TOP_5, SALES, 'DEFAULT', source.io);
    expect(source.fetched.map((p) => [p.limit, p.order.length])).toEqual([[CONFIG.maxCoreRows + 1, 0], [CONFIG.maxCoreRows + 1, 0]]);
    expect(source.asked).toHaveLength(1);
  });

  it('a bounded read that ends first is the answer, and the estimate still running is cancelled', async () => {
    const cache = new PlanCache(CONFIG);
    let estimateSignal: AbortSignal | undefined;
    const source = withEstimate(50, (signal) => ((estimateSignal = signal), new Promise(() => {})));
    expect((await cache.answer(TOP_5, SALES, 'DEFAULT', source.io)).outcome).toBe('MISS');
    expect(cache.store.entries).toBe(1);
    expect(estimateSignal?.aborted).toBe(true);
  });

  it('a request aborted while both run fails, and nothing is stored', async () => {
    const cache = new PlanCache(CONFIG);
    const source = withEstimate(50, () => new Promise(() => {}), true);
    const controller = new AbortController();
    const answer = cache.answer(TOP_5, SALES, 'DEFAULT', source.io, controller.signal);
    await until('the bounded read', () => source.fetched.length === 1);
    controller.abort(new Error('client gone'));
    await expect(answer).rejects.toThrow();
    expect(source.signals[0]!.aborted).toBe(true);
    expect(cache.store.entries).toBe(0);
  });
});
