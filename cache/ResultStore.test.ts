import { Float64, Table, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { CacheEntry } from './CacheEntry.ts';
import { core } from './derive/deriveTestPlans.ts';
import { ResultStore } from './ResultStore.ts';

const TABLE = new Table({ x: vectorFromArray([1], new Float64()) });
const entry = (key: string, bytes: number): CacheEntry => ({ key, core: core({ dims: ['region'] }), table: TABLE, baseBytes: bytes, bytes, createdAt: 0, derived: new Map() });

describe('ResultStore', () => {
  it('a resize counts against maxBytes: older entries are evicted, the index by dataset follows', () => {
    const store = new ResultStore(1_000);
    const [a, b] = [entry('a', 300), entry('b', 300)];
    store.set(a, 60_000);
    store.set(b, 60_000);
    expect(store.bytes).toBe(600);
    store.resize(b, 800);
    expect(store.bytes).toBe(800);
    expect(store.get('a')).toBeUndefined();
    expect(store.entriesOf('sales').map((e) => e.key)).toEqual(['b']);
  });

  it('an entry that outgrows the whole cache is dropped, and one no longer stored is only updated', () => {
    const store = new ResultStore(1_000);
    const a = entry('a', 300);
    store.set(a, 60_000);
    store.resize(a, 2_000);
    expect([store.entries, store.bytes]).toEqual([0, 0]);
    store.resize(a, 100);
    expect(a.bytes).toBe(100);
    expect(store.entries).toBe(0);
  });

  it('a ttl of 0 stores nothing (lru-cache would keep it forever)', () => {
    const store = new ResultStore(1_000);
    store.set(entry('a', 10), 0);
    expect(store.entries).toBe(0);
  });
});
