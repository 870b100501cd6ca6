import { planKey, type AggregatePlan, type CorePlan } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { entryBaseBytes, type CacheEntry } from '../CacheEntry.ts';
import { coreKeyOf } from '../coreKeys.ts';
import { chooseCandidate } from '../derive/index.ts';
import type { ResultStore } from '../ResultStore.ts';
import { createSingleFlight } from '../singleFlight.ts';
import type { L2Cache, L2Candidate, L2View } from './L2Cache.ts';

/**
 * One request's dealings with L2 after an L1 miss: the generation it read (its writes go
 * there, and nowhere if an invalidation replaced it), the writes its source query started
 * (the cross-replica lock is released after them), whether it refreshes (REFRESH: no lock,
 * and the other replicas drop their copy) and whether L2 put an answer in L1 (`found`).
 */
export interface L2Ticket {
  readonly gen: string;
  readonly writes: Promise<void>[];
  readonly refresh: boolean;
  readonly found: boolean;
}

/**
 * The L1 side of L2, for PlanCache: loads the core that answers a plan best from L2 into
 * L1 (the same choice derivation makes in L1, over the cores of every replica), and reads
 * single cores back after another replica's source query. Index reads and core loads are
 * shared by concurrent callers. `current()` is the dataset's L1 generation: an entry read
 * across an invalidation is not kept.
 */
export class L2Tier {
  private readonly views = createSingleFlight<L2View | null>();
  private readonly loads = createSingleFlight<CacheEntry | null>();

  constructor(
    readonly l2: L2Cache,
    private readonly store: ResultStore,
  ) {}

  /** DEFAULT (`refresh` false) fills L1 from L2 when it can; REFRESH only learns the generation. Null: Redis unavailable. */
  async enter(plan: AggregatePlan, dataset: DatasetConfig, refresh: boolean, current: () => string): Promise<L2Ticket | null> {
    const view = await this.views.run(dataset.name, () => this.l2.view(dataset)).promise;
    if (!view) return null;
    const ticket = { gen: view.gen, writes: [], refresh, found: false };
    if (refresh) return ticket;
    const exact = [coreKeyOf(plan, false), coreKeyOf(plan, true)];
    let chosen = view.candidates.find((c) => exact.includes(c.key));
    if (!chosen) {
      const derivable = chooseCandidate(plan, view.candidates, dataset).chosen;
      chosen = view.candidates.find((c) => c.key === derivable?.key);
    }
    if (!chosen) return ticket;
    const entry = await this.load(dataset, view.gen, chosen, current);
    return { ...ticket, found: entry !== null };
  }

  /** The core's entry if L2 holds it now (another replica stored it), put in L1; null otherwise. */
  async recheck(dataset: DatasetConfig, gen: string, core: CorePlan, current: () => string): Promise<CacheEntry | null> {
    return this.load(dataset, gen, { key: planKey(core), core, rows: 0, createdAt: Date.now() }, current);
  }

  /** Starts storing a fetched core in the ticket's generation; the ticket holds the write. */
  write(dataset: DatasetConfig, ticket: L2Ticket, entry: CacheEntry, ttlMs: number): void {
    ticket.writes.push(this.l2.write(dataset, ticket.gen, entry, ttlMs, ticket.refresh));
  }

  private async load(dataset: DatasetConfig, gen: string, candidate: L2Candidate, current: () => string): Promise<CacheEntry | null> {
    const before = current();
    return this.loads.run(`${gen}/${candidate.key}`, async () => {
      const loaded = await this.l2.load(dataset, gen, candidate.key);
      if (!loaded) return null;
      const baseBytes = entryBaseBytes(candidate.core, loaded.table);
      const entry: CacheEntry = { key: candidate.key, core: candidate.core, table: loaded.table, baseBytes, bytes: baseBytes, createdAt: candidate.createdAt, derived: new Map() };
      // The L1 copy expires with the L2 one, and is not kept across an invalidation.
      if (current() === before) this.store.set(entry, Math.min(loaded.ttlMs, dataset.cache.ttlMs));
      return entry;
    }).promise;
  }
}
