import type { Table } from 'apache-arrow';
import { coreOf, planKey, type AggregatePlan, type CorePlan } from '../planner/index.ts';
import type { CacheConfig, DatasetConfig } from '../schema/index.ts';
import { MAX_DERIVED_PER_ENTRY, MAX_DERIVED_ROWS, tableBytes, type CacheEntry } from './CacheEntry.ts';
import { chooseCandidate, deriveTable } from './derive/index.ts';
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
 */
export class PlanCache {
  readonly store: ResultStore;
  private readonly flights = createSingleFlight<CacheEntry>();
  private readonly estimates = new Map<string, Promise<number | null>>();

  constructor(private readonly config: CacheConfig) {
    this.store = new ResultStore(config.maxBytes);
  }

  async answer(plan: AggregatePlan, dataset: DatasetConfig, mode: CacheMode, io: SourceAccess, signal?: AbortSignal): Promise<CachedAnswer> {
    if (mode === 'DEFAULT' && this.config.enabled) {
      const found = this.lookup(plan, dataset);
      if (found.entry) {
        return { table: finish(plan, found.entry, dataset), outcome: found.outcome, entryKey: found.entry.key, ageMs: Date.now() - found.entry.createdAt };
      }
    }
    if (mode === 'BYPASS' || !this.config.enabled) {
      // Straight to the source with every step pushed down; nothing is read or stored.
      const table = await io.fetch(plan, signal ?? new AbortController().signal);
      return { table, outcome: 'BYPASS', entryKey: null, ageMs: 0 };
    }
    const decision = decidePushdown(plan, await this.estimateCore(plan, io), this.config.maxCoreRows);
    const core = coreOf(plan, false);
    // A pushed-down answer depends on the plan's order and limit, so its flight does too.
    const flightKey = planKey(coreOf(plan, decision.pushdown));
    const { promise } = this.flights.run(
      flightKey,
      async (flightSignal) => {
        if (!decision.pushdown) return this.store_(core, await io.fetch(planOfCore(core), flightSignal), dataset);
        // Estimates of grouped rows are often far too high (Postgres sizes a time bucket
        // by the distinct timestamps under it), so probe: a core that fits is stored whole.
        const max = this.config.maxCoreRows;
        const probe = await io.fetch({ ...planOfCore(core), limit: max + 1 }, flightSignal);
        if (probe.numRows <= max) return this.store_(core, probe, dataset);
        const pushed = coreOf(plan, true);
        return this.store_(pushed, await io.fetch(planOfCore(pushed), flightSignal), dataset);
      },
      signal,
    );
    const entry = await promise;
    return { table: finish(plan, entry, dataset), outcome: 'MISS', entryKey: entry.key, ageMs: Date.now() - entry.createdAt };
  }

  private store_(core: CorePlan, table: Table, dataset: DatasetConfig): CacheEntry {
    const entry: CacheEntry = { key: planKey(core), core, table, bytes: tableBytes(table), createdAt: Date.now(), derived: new Map() };
    this.store.set(entry, dataset.cache.ttlMs);
    return entry;
  }

  /** The decision `answer` would take now in DEFAULT mode, without running anything at the source but an estimate. */
  async decide(plan: AggregatePlan, dataset: DatasetConfig, io: Pick<SourceAccess, 'estimate'>): Promise<CacheDecision> {
    if (!this.config.enabled) return { outcome: 'BYPASS', entryKey: null, rejected: [], pushdown: null };
    const found = this.lookup(plan, dataset);
    if (found.entry) return { outcome: found.outcome, entryKey: found.entry.key, rejected: found.rejected, pushdown: null };
    const estimate = await this.estimateCore(plan, io);
    return { outcome: 'MISS', entryKey: null, rejected: found.rejected, pushdown: decidePushdown(plan, estimate, this.config.maxCoreRows) };
  }

  invalidate(dataset?: string): number {
    return this.store.clear(dataset);
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

  /** The source's estimate of the core's size, asked once per core; only top-N plans need it. */
  private estimateCore(plan: AggregatePlan, io: Pick<SourceAccess, 'estimate'>): Promise<number | null> {
    if (plan.limit === null || plan.dimensions.length === 0) return Promise.resolve(null);
    const core = planOfCore(coreOf(plan, false));
    const key = planKey(core);
    let estimate = this.estimates.get(key);
    if (!estimate) {
      if (this.estimates.size > 10_000) this.estimates.clear();
      estimate = io.estimate(core).catch(() => null);
      this.estimates.set(key, estimate);
    }
    return estimate;
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

/** A pushed-down core is already the answer; any other is post-processed for the plan. */
function finish(plan: AggregatePlan, entry: CacheEntry, dataset: DatasetConfig): Table {
  if (entry.core.pushdown) return entry.table;
  const key = planKey(plan);
  let table = entry.derived.get(key);
  if (!table) {
    table = deriveTable(plan, entry.core, entry.table, dataset);
    if (table.numRows <= MAX_DERIVED_ROWS) {
      if (entry.derived.size >= MAX_DERIVED_PER_ENTRY) entry.derived.delete(entry.derived.keys().next().value!);
      entry.derived.set(key, table);
    }
  }
  return table;
}
