import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './CacheEntry.ts';

/**
 * The bounded store behind the cache: least recently used entries go first once the
 * entries' bytes (Arrow buffers, core plans and memos: CacheEntry.bytes) exceed
 * `maxBytes`; each entry expires after its own ttl. Keeps an index by dataset so
 * derivation only looks at entries of the dataset asked about.
 */
export class ResultStore {
  /** Values are slots, new at every resize: lru-cache recomputes a size only for a new value. */
  private readonly lru: LRUCache<string, { readonly entry: CacheEntry }>;
  private readonly byDataset = new Map<string, Set<string>>();

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, { readonly entry: CacheEntry }>({
      maxSize: maxBytes,
      sizeCalculation: (slot) => slot.entry.bytes,
      // A resize replaces the slot of the same entry ('set'): its key stays indexed.
      dispose: (slot, key, reason) => {
        if (reason !== 'set') this.byDataset.get(slot.entry.core.dataset)?.delete(key);
      },
    });
  }

  get(key: string): CacheEntry | undefined {
    return this.lru.get(key)?.entry;
  }

  /** Entries of a dataset that have not expired, without refreshing their recency. */
  entriesOf(dataset: string): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const key of this.byDataset.get(dataset) ?? []) {
      const slot = this.lru.get(key, { updateAgeOnGet: false });
      if (slot) out.push(slot.entry);
    }
    return out;
  }

  /** Stores an entry for ttlMs (> 0; a ttl of 0 would mean "never expire" to lru-cache). */
  set(entry: CacheEntry, ttlMs: number): void {
    if (!(ttlMs > 0)) return; // expires at once: nothing to keep
    if (entry.bytes > this.lru.maxSize) return; // larger than the whole cache: never stored
    this.lru.set(entry.key, { entry }, { ttl: ttlMs });
    let keys = this.byDataset.get(entry.core.dataset);
    if (!keys) this.byDataset.set(entry.core.dataset, (keys = new Set()));
    keys.add(entry.key);
  }

  /**
   * Records that an entry now holds `bytes` (its memos grew or shrank), keeping its ttl;
   * other entries are evicted as needed, and an entry that outgrew the cache is dropped.
   */
  resize(entry: CacheEntry, bytes: number): void {
    if (bytes === entry.bytes) return;
    entry.bytes = bytes;
    if (this.lru.peek(entry.key)?.entry !== entry) return; // evicted, expired or never stored
    if (bytes > this.lru.maxSize) this.lru.delete(entry.key);
    else this.lru.set(entry.key, { entry }, { noUpdateTTL: true });
  }

  /** Drops one entry (another replica refreshed its core); true when it was held. */
  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  /** Drops a dataset's entries (every entry when dataset is undefined); returns how many. */
  clear(dataset?: string): number {
    this.lru.purgeStale(); // expired entries are already gone for readers; lru.keys() would skip them and leave them held
    const keys = dataset === undefined ? [...this.lru.keys()] : [...(this.byDataset.get(dataset) ?? [])];
    for (const key of keys) this.lru.delete(key);
    return keys.length;
  }

  /** Bytes of live entries (expired ones are dropped first). */
  get bytes(): number {
    this.lru.purgeStale();
    return this.lru.calculatedSize;
  }

  get entries(): number {
    this.lru.purgeStale();
    return this.lru.size;
  }
}
