import type { Table } from 'apache-arrow';
import { ErrorCode, TributaryError } from '../errors/index.ts';
import { coreOf, planKey, type AggregatePlan, type CorePlan } from '../planner/index.ts';
import type { CacheConfig, DatasetConfig } from '../schema/index.ts';
import { entryBaseBytes, MAX_DERIVED_PER_ENTRY, MAX_DERIVED_ROWS, tableBytes, type CacheEntry } from './CacheEntry.ts';
import { chooseCandidate, deriveTable, memoBytesOf } from './derive/index.ts';
import { decidePushdown, type PushdownDecision } from './limitPushdown.ts';
import { ResultStore } from './ResultStore.ts';
import { createSingleFlight } from './singleFlight.ts';

export type CacheOutcome = 'HIT' | 'DERIVED' | 'MISS' | 'BYPASS';
export type CacheMode = 'DEFAULT' | 'BYPASS' | 'REFRESH';

/** How the cache talks to the source: the gateway supplies both (and counts the calls). */
export interface SourceAccess {
  fetch(plan: AggregatePlan, signal: AbortSignal): Promise<Table>;
  estimate(plan: AggregatePlan): Promise<number | null>;
}

export interface CachedAnswer {
  readonly table: Table;
  readonly outcome: CacheOutcome;
  /** The entry that answered (or was stored); null for BYPASS. */
  readonly entryKey: string | null;
  readonly ageMs: number;
}

/** What explain prints: which entry would answer, and why the others would not. */
export interface CacheDecision {
  readonly outcome: CacheOutcome;
  readonly entryKey: string | null;
  readonly rejected: readonly { readonly key: string; readonly reason: string }[];
  readonly pushdown: PushdownDecision | null;
}

/**
 * The plan-keyed result cache. A plan is answered, in order of preference, from the
 * entry of its own core (HIT), from any other entry it can be derived from (DERIVED,
 * fewest rows wins), or from the source (MISS), whose core is then stored. Concurrent
 * requests for one core share one source call.
 *
 * Generations: every dataset has one, bumped by `invalidate` (the admin mutation, a
 * refreshKey change). A source call remembers the generation it started in and stores its
 * result only if that generation is still current, so a fetch in flight across an
 * invalidation answers its own callers but never puts pre-change rows back in the cache;
 * flights and memoized estimates are keyed by generation too, so a request that arrives
 * after the change never joins the old fetch or trusts the old estimate.
 */
export class PlanCache {
  readonly store: ResultStore;
  private readonly flights = createSingleFlight<CacheEntry | null>();
  private readonly estimates = new Map<string, { readonly value: Promise<number | null>; readonly expiresAt: number }>();
  /** Bumped by invalidate(): `epoch` for every dataset, `generations` for one. */
  private epoch = 0;
  private readonly generations = new Map<string, number>();

  constructor(private readonly config: CacheConfig) {
    this.store = new ResultStore(config.maxBytes);
  }

  async answer(plan: AggregatePlan, dataset: DatasetConfig, mode: CacheMode, io: SourceAccess, signal?: AbortSignal): Promise<CachedAnswer> {
    if (mode === 'DEFAULT' && this.config.enabled) {
      const found = this.lookup(plan, dataset);
      if (found.entry) {
        return { table: this.finish(plan, found.entry, dataset), outcome: found.outcome, entryKey: found.entry.key, ageMs: Date.now() - found.entry.createdAt };
      }
    }
    if (mode === 'BYPASS' || !this.config.enabled) {
      // Straight to the source with every step pushed down; nothing is read or stored.
      const table = await io.fetch(plan, signal ?? new AbortController().signal);
      return { table, outcome: 'BYPASS', entryKey: null, ageMs: 0 };
    }
    if (signal?.aborted) {
      // The client is gone: start nothing (and join nothing) at the source for it.
      throw new TributaryError(ErrorCode.SOURCE_TIMEOUT, `dataset ${dataset.name}: the request was aborted before its source query started`, { dataset: dataset.name });
    }
    const generation = this.generationOf(dataset.name);
    const decision = decidePushdown(plan, await this.estimateCore(plan, io, dataset, generation), this.config.maxCoreRows);
    const max = this.config.maxCoreRows;
    const core = coreOf(plan, false);
    const pushed = coreOf(plan, true);
    const fetchPushed = async (flightSignal: AbortSignal) => this.store_(pushed, await io.fetch(planOfCore(pushed), flightSignal), dataset, generation);
    let entry: CacheEntry;
    if (decision.pushdown) {
      // A pushed-down answer depends on the plan's order and limit, so its flight does too.
      // Estimates of grouped rows are often far too high (Postgres sizes a time bucket by
      // the distinct timestamps under it), so probe: a core that fits is stored whole.
      entry = await this.fly(generation, pushed, signal, async (flightSignal) => {
        const probe = await io.fetch({ ...planOfCore(core), limit: max + 1 }, flightSignal);
        if (probe.numRows <= max) return this.store_(core, probe, dataset, generation);
        return fetchPushed(flightSignal);
      });
    } else {
      // Without an estimate a top-N could group any number of rows: the core is fetched
      // with a bound of max + 1 rows, and one that reaches it is pushed down instead
      // (each caller with its own order and limit), as if it had been estimated large.
      const bounded = decision.estimatedGroups === null && plan.limit !== null && plan.dimensions.length > 0;
      const whole = await this.fly(generation, core, signal, async (flightSignal) => {
        const table = await io.fetch(bounded ? { ...planOfCore(core), limit: max + 1 } : planOfCore(core), flightSignal);
        if (bounded && table.numRows > max) {
          this.rememberEstimate(core, dataset, generation, table.numRows);
          return null;
        }
        return this.store_(core, table, dataset, generation);
      });
      entry = whole ?? (await this.fly(generation, pushed, signal, fetchPushed));
    }
    return { table: this.finish(plan, entry, dataset), outcome: 'MISS', entryKey: entry.key, ageMs: Date.now() - entry.createdAt };
  }

  /** One source call per (generation, core) at a time. */
  private fly<T extends CacheEntry | null>(generation: string, core: CorePlan, signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.flights.run(`${generation}/${planKey(core)}`, work, signal).promise as Promise<T>;
  }

  /** Builds the entry for a fetched core, and stores it unless its dataset was invalidated since the fetch began. */
  private store_(core: CorePlan, table: Table, dataset: DatasetConfig, generation: string): CacheEntry {
    const baseBytes = entryBaseBytes(core, table);
    const entry: CacheEntry = { key: planKey(core), core, table, baseBytes, bytes: baseBytes, createdAt: Date.now(), derived: new Map() };
    if (generation === this.generationOf(dataset.name)) this.store.set(entry, dataset.cache.ttlMs);
    return entry;
  }

  /** The decision `answer` would take now in DEFAULT mode, without running anything at the source but an estimate. */
  async decide(plan: AggregatePlan, dataset: DatasetConfig, io: Pick<SourceAccess, 'estimate'>): Promise<CacheDecision> {
    if (!this.config.enabled) return { outcome: 'BYPASS', entryKey: null, rejected: [], pushdown: null };
    const found = this.lookup(plan, dataset);
    if (found.entry) return { outcome: found.outcome, entryKey: found.entry.key, rejected: found.rejected, pushdown: null };
    const estimate = await this.estimateCore(plan, io, dataset, this.generationOf(dataset.name));
    return { outcome: 'MISS', entryKey: null, rejected: found.rejected, pushdown: decidePushdown(plan, estimate, this.config.maxCoreRows) };
  }

  /** Drops a dataset's entries (every dataset's when undefined) and starts its next generation. */
  invalidate(dataset?: string): number {
    if (dataset === undefined) this.epoch++;
    else this.generations.set(dataset, (this.generations.get(dataset) ?? 0) + 1);
    this.estimates.clear(); // keyed by generation, so unreachable now; the data may have grown
    return this.store.clear(dataset);
  }

  private generationOf(dataset: string): string {
    return `${this.epoch}.${this.generations.get(dataset) ?? 0}`;
  }

  private lookup(plan: AggregatePlan, dataset: DatasetConfig) {
    for (const pushdown of [false, true]) {
      const entry = this.store.get(planKey(coreOf(plan, pushdown)));
      if (entry) return { entry, outcome: 'HIT' as const, rejected: [] };
    }
    const entries = this.store.entriesOf(dataset.name);
    const candidates = entries.map((e) => ({ key: e.key, core: e.core, rows: e.table.numRows }));
    const { chosen, rejected } = chooseCandidate(plan, candidates, dataset);
    const entry = chosen ? entries.find((e) => e.key === chosen.key) : undefined;
    return { entry, outcome: 'DERIVED' as const, rejected };
  }

  /**
   * The source's estimate of the core's size, asked once per core, generation and ttl (a
   * table grows: an estimate is trusted no longer than a cached answer); only top-N plans need it.
   */
  private estimateCore(plan: AggregatePlan, io: Pick<SourceAccess, 'estimate'>, dataset: DatasetConfig, generation: string): Promise<number | null> {
    if (plan.limit === null || plan.dimensions.length === 0) return Promise.resolve(null);
    const core = planOfCore(coreOf(plan, false));
    const key = `${generation}/${planKey(core)}`;
    const known = this.estimates.get(key);
    if (known && known.expiresAt > Date.now()) return known.value;
    const value = io.estimate(core).catch(() => null);
    this.setEstimate(key, value, dataset);
    return value;
  }

  /** A bounded fetch found more groups than maxCoreRows: later top-Ns of this core push down at once. */
  private rememberEstimate(core: CorePlan, dataset: DatasetConfig, generation: string, groups: number): void {
    this.setEstimate(`${generation}/${planKey(planOfCore(core))}`, Promise.resolve(groups), dataset);
  }

  private setEstimate(key: string, value: Promise<number | null>, dataset: DatasetConfig): void {
    if (this.estimates.size > 10_000) this.estimates.clear();
    this.estimates.set(key, { value, expiresAt: Date.now() + (dataset.cache.ttlMs > 0 ? dataset.cache.ttlMs : 0) });
  }

  /**
   * A pushed-down core is already the answer; any other is post-processed for the plan.
   * What the entry then remembers (the derived answer, column encodings) is added to its
   * bytes, so maxBytes bounds the memos too.
   */
  private finish(plan: AggregatePlan, entry: CacheEntry, dataset: DatasetConfig): Table {
    if (entry.core.pushdown) return entry.table;
    const key = planKey(plan);
    let table = entry.derived.get(key);
    if (!table) {
      table = deriveTable(plan, entry.core, entry.table, dataset);
      if (table.numRows <= MAX_DERIVED_ROWS) {
        if (entry.derived.size >= MAX_DERIVED_PER_ENTRY) entry.derived.delete(entry.derived.keys().next().value!);
        entry.derived.set(key, table);
      }
      let memoBytes = memoBytesOf(entry.table);
      for (const derived of entry.derived.values()) memoBytes += tableBytes(derived) + 64;
      this.store.resize(entry, entry.baseBytes + memoBytes);
    }
    return table;
  }
}

/** The plan that fetches exactly a core: its pushdown steps, or none. */
export function planOfCore(core: CorePlan): AggregatePlan {
  return {
    kind: 'aggregate',
    dataset: core.dataset,
    dimensions: core.dimensions,
    measures: core.measures,
    filter: core.filter,
    security: core.security,
    having: core.pushdown?.having ?? null,
    order: core.pushdown?.order ?? [],
    limit: core.pushdown?.limit ?? null,
    offset: core.pushdown?.offset ?? 0,
  };
}
