import { LRUCache } from 'lru-cache';
import type { CacheEntry } from './CacheEntry.ts';

/**
 * The bounded store behind the cache: least recently used entries go first once the
 * Arrow bytes exceed `maxBytes`; each entry expires after its own ttl. Keeps an index by
 * dataset so derivation only looks at entries of the dataset asked about.
 */
export class ResultStore {
  private readonly lru: LRUCache<string, CacheEntry>;
  private readonly byDataset = new Map<string, Set<string>>();

  constructor(maxBytes: number) {
    this.lru = new LRUCache<string, CacheEntry>({
      maxSize: maxBytes,
      sizeCalculation: (entry) => entry.bytes,
      dispose: (entry, key) => this.byDataset.get(entry.core.dataset)?.delete(key),
    });
  }

  get(key: string): CacheEntry | undefined {
    return this.lru.get(key);
  }

  /** Entries of a dataset that have not expired, without refreshing their recency. */
  entriesOf(dataset: string): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const key of this.byDataset.get(dataset) ?? []) {
      const entry = this.lru.get(key, { updateAgeOnGet: false });
      if (entry) out.push(entry);
    }
    return out;
  }

  set(entry: CacheEntry, ttlMs: number): void {
    if (entry.bytes > this.lru.maxSize) return; // larger than the whole cache: never stored
    this.lru.set(entry.key, entry, { ttl: ttlMs });
    let keys = this.byDataset.get(entry.core.dataset);
    if (!keys) this.byDataset.set(entry.core.dataset, (keys = new Set()));
    keys.add(entry.key);
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
