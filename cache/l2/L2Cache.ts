import { randomUUID } from 'node:crypto';
import type { Table } from 'apache-arrow';
import { LRUCache } from 'lru-cache';
import { canonicalJson, planKey, type CorePlan } from '../../planner/index.ts';
import type { DatasetConfig, L2Config } from '../../schema/index.ts';
import { tableBytes } from '../CacheEntry.ts';
import { tableFromBytes, tableToBytes } from './arrowBytes.ts';
import { datasetNamespace, keyField, l2Channel, l2Keys, type L2Keys } from './l2Keys.ts';
import { RedisLink } from './RedisLink.ts';
import { runExclusive, type WaitResult } from './RedisLock.ts';

/** What another replica's broadcast asks of this one's L1. */
export interface L2Listener {
  /** A dataset was invalidated (or this replica may have missed that it was): drop its entries. */
  invalidate(dataset: string): void;
  /** A core was refreshed (REFRESH): drop this replica's copy of it. */
  drop(dataset: string, key: string): void;
}

/** Counters and state for metrics and logs; every method is optional to act on. */
export interface L2Observer {
  read(result: 'hit' | 'miss' | 'error'): void;
  write(result: 'stored' | 'too_large' | 'stale' | 'full' | 'error'): void;
  wait(result: WaitResult): void;
  message(kind: 'invalidate' | 'refresh'): void;
  status(up: boolean, error?: unknown): void;
}

/** A core some replica stored in L2, as listed in its dataset's index. */
export interface L2Candidate {
  readonly key: string;
  readonly core: CorePlan;
  readonly rows: number;
  readonly createdAt: number;
}

/** A dataset's index at one generation: what L2 holds for it now. */
export interface L2View {
  readonly gen: string;
  readonly candidates: readonly L2Candidate[];
}

interface Message {
  readonly from: string;
  readonly kind: 'invalidate' | 'refresh';
  readonly ns: string;
  readonly gen: string;
  readonly key?: string;
}

/** Generation keys outlive any core (their ttl is renewed by every write). */
const GENERATION_TTL_MS = 7 * 86_400_000;
/** Cores listed per dataset generation; past it, new cores stay in L1 only. */
const MAX_INDEX_ENTRIES = 2_000;

/**
 * The shared L2 cache: cores as Arrow IPC bytes in Redis with their ttl, an index of them
 * per dataset (so any replica derives from a core another fetched), generations replaced by
 * invalidations and broadcast over pub/sub, and a lock per core for single flight across
 * replicas. Keys are namespaced by a hash of each dataset's model (l2Keys.ts).
 *
 * Redis is never needed for an answer: every method fails soft (null, a skipped write) when
 * Redis is down or slow, and the caller goes on from L1 and the source. Invalidations made
 * while Redis was down are replayed when it is back; a replica that may have missed a
 * broadcast (its subscription dropped, a generation it had not seen) drops that dataset's L1.
 */
export class L2Cache {
  readonly link: RedisLink;
  private readonly id = randomUUID();
  private readonly datasetsByNs = new Map<string, string>();
  private readonly lastSeen = new Map<string, string>();
  /** Invalidations made while Redis was unreachable, by dataset: replayed on reconnect ('' or a refreshKey value). */
  private readonly pending = new Map<string, string>();
  /** Invalidations on their way to Redis, by dataset: reads of that dataset wait for them. */
  private readonly invalidating = new Map<string, Promise<boolean>>();
  private readonly parsed = new LRUCache<string, L2Candidate | false>({ max: 10_000 });
  /** The last index read per namespace, with its generation and version. */
  private readonly indexes = new Map<string, { readonly gen: string; readonly version: string; readonly entries: readonly { readonly expiresAt: number; readonly candidate: L2Candidate }[] }>();
  private listener: L2Listener | null = null;

  constructor(
    private readonly config: L2Config,
    private readonly datasets: Readonly<Record<string, DatasetConfig>>,
    private readonly observer: L2Observer,
  ) {
    for (const d of Object.values(datasets)) this.datasetsByNs.set(datasetNamespace(d), d.name);
    this.link = new RedisLink({
      url: config.redis,
      timeoutMs: config.timeoutMs,
      channel: l2Channel(config.prefix),
      onMessage: (message) => this.receive(message),
      onSubscribed: () => void this.resync(),
      onStatus: (up, error) => {
        observer.status(up, error);
        if (up) void this.replay().then(() => this.resync());
      },
    });
  }

  listen(listener: L2Listener): void {
    this.listener = listener;
  }

  get status(): 'ok' | 'down' {
    return this.link.status;
  }

  /** The dataset's current generation and index; null when Redis cannot say. */
  async view(dataset: DatasetConfig): Promise<L2View | null> {
    // This replica's own invalidations must be in Redis before it reads there again: else
    // it could load the very cores it invalidated. (Replayed here too: a hung Redis that
    // answers again never closed the connection, so no reconnect replays them.)
    if (this.pending.size > 0 && this.link.healthy()) void this.replay();
    await this.invalidating.get(dataset.name);
    if (!this.link.healthy() || this.pending.has(dataset.name)) return null;
    const keys = this.keysOf(dataset);
    const ns = datasetNamespace(dataset);
    const held = this.indexes.get(ns);
    let reply: [string, string, string, string[]?];
    try {
      reply = (await this.link.script('l2Lookup', [keys.generation], [randomUUID(), keys.base, GENERATION_TTL_MS, held ? `${held.gen}/${held.version}` : ''])) as typeof reply;
    } catch {
      this.observer.read('error');
      return null;
    }
    const [gen, now, version, flat] = reply;
    this.see(dataset, gen);
    let index = held;
    if (flat !== undefined || !index) {
      const entries: { expiresAt: number; candidate: L2Candidate }[] = [];
      for (let i = 0; i + 1 < (flat ?? []).length; i += 2) {
        const value = flat![i + 1]!;
        const bar = value.indexOf('|');
        const candidate = this.parse(value.slice(bar + 1));
        if (candidate) entries.push({ expiresAt: Number(value.slice(0, bar)), candidate });
      }
      index = { gen, version, entries };
      this.indexes.set(ns, index);
    }
    return { gen, candidates: index.entries.filter((e) => e.expiresAt > Number(now)).map((e) => e.candidate) };
  }

  /** The dataset's current generation (creating one if it has none); null when Redis cannot say. */
  async generation(dataset: DatasetConfig): Promise<string | null> {
    return (await this.view(dataset))?.gen ?? null;
  }

  /** A core's table and remaining ttl, if generation `gen` still holds it; null otherwise. */
  async load(dataset: DatasetConfig, gen: string, key: string): Promise<{ readonly table: Table; readonly ttlMs: number } | null> {
    if (!this.link.healthy()) return null;
    const keys = this.keysOf(dataset);
    const field = keyField(key);
    const coreKey = keys.core(gen, field);
    try {
      const replies = await this.link.watch(this.link.commands.pipeline().getBuffer(coreKey).pttl(coreKey).exec());
      const bytes = replies?.[0]?.[1] as Buffer | null | undefined;
      const ttlMs = Number(replies?.[1]?.[1] ?? -2);
      if (!bytes || !(ttlMs > 0)) {
        this.observer.read('miss');
        // Listed but expired or evicted: unlisted, and the index's readers told so.
        void this.link.watch(this.link.commands.multi().hdel(keys.index(gen), field).incr(keys.indexVersion(gen)).exec()).catch(() => {});
        return null;
      }
      const table = tableFromBytes(bytes);
      this.observer.read('hit');
      return { table, ttlMs };
    } catch {
      this.observer.read('error');
      return null;
    }
  }

  /**
   * Stores a core in generation `gen` for ttlMs, unless an invalidation replaced that
   * generation since (the rows may predate the change) or it is larger than maxEntryBytes.
   * `announce` (REFRESH) tells the other replicas to drop their copy. Never rejects.
   */
  async write(dataset: DatasetConfig, gen: string, entry: { readonly key: string; readonly core: CorePlan; readonly table: Table; readonly createdAt: number }, ttlMs: number, announce = false): Promise<void> {
    if (!(ttlMs > 0) || !this.link.healthy()) return;
    if (tableBytes(entry.table) > this.config.maxEntryBytes) return this.observer.write('too_large');
    try {
      const bytes = tableToBytes(entry.table);
      if (bytes.byteLength > this.config.maxEntryBytes) return this.observer.write('too_large');
      const keys = this.keysOf(dataset);
      const field = keyField(entry.key);
      const json = JSON.stringify({ k: entry.key, c: JSON.parse(canonicalJson(entry.core)), r: entry.table.numRows, t: entry.createdAt });
      const stored = await this.link.script(
        'l2Write',
        [keys.generation, keys.core(gen, field), keys.index(gen), keys.indexVersion(gen)],
        [gen, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), Math.ceil(ttlMs), field, json, MAX_INDEX_ENTRIES, GENERATION_TTL_MS],
      );
      this.observer.write(stored === 1 ? 'stored' : stored === 0 ? 'stale' : 'full');
      if (stored === 1 && announce) await this.link.publish(JSON.stringify({ from: this.id, kind: 'refresh', ns: datasetNamespace(dataset), gen, key: entry.key } satisfies Message));
    } catch {
      this.observer.write('error');
    }
  }

  /** Single flight across replicas for one source query of a dataset generation (RedisLock.ts). */
  exclusive<T>(dataset: DatasetConfig, gen: string, name: string, signal: AbortSignal, run: () => Promise<T>, written: () => Promise<unknown>, recheck: () => Promise<T | null>): Promise<T> {
    return runExclusive({
      link: this.link,
      lockKey: this.keysOf(dataset).lock(gen, keyField(name)),
      ttlMs: this.config.lockTimeoutMs,
      maxWaitMs: this.config.maxWaitMs,
      signal,
      run,
      written,
      recheck,
      observe: (result) => this.observer.wait(result),
    });
  }

  /**
   * Starts a new generation of a dataset (every dataset when undefined) in L2 and tells every replica. With Redis
   * down, remembered and done on reconnect. Never rejects.
   */
  invalidate(dataset?: string): Promise<void> {
    const names = dataset === undefined ? Object.keys(this.datasets) : [dataset];
    return Promise.all(names.map((name) => this.invalidateOne(name, ''))).then(() => {});
  }

  /**
   * A refreshKey poll saw a new value. Every replica polls; the first to record the value
   * invalidates for all, the others find it recorded and leave L2 alone. Resolves true when
   * this replica started the new generation.
   */
  refreshKeyChanged(dataset: string, value: string): Promise<boolean> {
    return this.invalidateOne(dataset, value);
  }

  async close(): Promise<void> {
    await this.link.close();
  }

  private invalidateOne(name: string, refreshValue: string): Promise<boolean> {
    const done = this.sendInvalidation(name, refreshValue).finally(() => {
      if (this.invalidating.get(name) === done) this.invalidating.delete(name);
    });
    this.invalidating.set(name, done);
    return done;
  }

  private async sendInvalidation(name: string, refreshValue: string): Promise<boolean> {
    const dataset = this.datasets[name];
    if (!dataset) return false;
    if (!this.link.healthy()) {
      this.pending.set(name, refreshValue);
      return false;
    }
    const keys = this.keysOf(dataset);
    const ns = datasetNamespace(dataset);
    const gen = randomUUID();
    const message = JSON.stringify({ from: this.id, kind: 'invalidate', ns, gen } satisfies Message);
    try {
      const done = await this.link.script('l2Invalidate', [keys.generation, keys.refreshKey], [gen, keys.base, l2Channel(this.config.prefix), message, GENERATION_TTL_MS, refreshValue]);
      if (done === 1) this.lastSeen.set(ns, gen);
      return done === 1;
    } catch {
      this.pending.set(name, refreshValue);
      return false;
    }
  }

  private async replay(): Promise<void> {
    const pending = [...this.pending];
    this.pending.clear();
    await Promise.all(pending.map(([name, value]) => this.invalidateOne(name, value)));
  }

  /** After (re)subscribing: any dataset whose generation moved while this replica was not listening loses its L1 entries. */
  private async resync(): Promise<void> {
    for (const dataset of Object.values(this.datasets)) {
      if (!this.link.healthy()) return;
      await this.view(dataset); // see() compares the generation with the last one seen
    }
  }

  /** Records the generation seen; one that moved unannounced (a missed broadcast) drops the dataset's L1. */
  private see(dataset: DatasetConfig, gen: string): void {
    const ns = datasetNamespace(dataset);
    const before = this.lastSeen.get(ns);
    this.lastSeen.set(ns, gen);
    if (before !== undefined && before !== gen) this.listener?.invalidate(dataset.name);
  }

  private receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.from === this.id) return;
    const name = this.datasetsByNs.get(message.ns);
    if (name === undefined) return; // a dataset this replica does not have (or has another model of)
    this.observer.message(message.kind);
    if (message.kind === 'invalidate') {
      if (this.lastSeen.get(message.ns) === message.gen) return; // already seen (and dropped) through a lookup
      this.lastSeen.set(message.ns, message.gen);
      this.listener?.invalidate(name);
    } else if (message.key !== undefined) {
      this.listener?.drop(name, message.key);
    }
  }

  /** An index entry's core, parsed once and frozen; false when it does not hash to its key. */
  private parse(json: string): L2Candidate | null {
    let known = this.parsed.get(json);
    if (known === undefined) {
      try {
        const raw = JSON.parse(json) as { k: string; c: CorePlan; r: number; t: number };
        const core = deepFreeze(raw.c);
        known = planKey(core) === raw.k ? { key: raw.k, core, rows: raw.r, createdAt: raw.t } : false;
      } catch {
        known = false;
      }
      this.parsed.set(json, known);
    }
    return known || null;
  }

  private keysOf(dataset: DatasetConfig): L2Keys {
    return l2Keys(this.config.prefix, datasetNamespace(dataset));
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}
