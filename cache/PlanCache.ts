import { Table } from 'apache-arrow';
import { ErrorCode, TributaryError } from '../errors/index.ts';
import { canonicalJson, coreOf, planKey, type AggregatePlan, type CorePlan, type LeafMeasure } from '../planner/index.ts';
import type { CacheConfig, DatasetConfig } from '../schema/index.ts';
import { entryBaseBytes, MAX_DERIVED_PER_ENTRY, MAX_DERIVED_ROWS, tableBytes, type CacheEntry } from './CacheEntry.ts';
import { chooseCandidate, deriveTable, memoBytesOf } from './derive/index.ts';
import { coreKeyOf } from './coreKeys.ts';
import { L2Tier, type L2Cache, type L2Ticket } from './l2/index.ts';
import type { CacheDecision, CachedAnswer, CacheMode, SourceAccess } from './CacheContract.ts';
import { LargeCores } from './LargeCores.ts';
import { readUnlessLarge } from './readUnlessLarge.ts';
import { decidePushdown } from './limitPushdown.ts';
import { planOfCore } from './planOfCore.ts';
import { ResultStore } from './ResultStore.ts';
import { createSingleFlight } from './singleFlight.ts';
import { splitTotals } from './splitTotals.ts';

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
 *
 * With an L2 (cache/l2/, Redis shared by replicas), an L1 miss first asks L2 for a core
 * that answers (loaded into L1, then HIT or DERIVED as usual); a source query takes L2's
 * lock for its core, so replicas missing the same core make one query, and stores what it
 * fetched in L2 too. Invalidations reach every replica; Redis down means L1 alone.
 */
export class PlanCache {
  readonly store: ResultStore;
  private readonly flights = createSingleFlight<CacheEntry | null>();
  private readonly pairFlights = createSingleFlight<{ readonly rows: CacheEntry | null; readonly totals: CacheEntry | null }>();
  /** Cores known (read or estimated) larger than maxCoreRows, by generation and core key. */
  private readonly largeCores = new LargeCores();
  /** Bumped by invalidate(): `epoch` for every dataset, `generations` for one. */
  private epoch = 0;
  private readonly generations = new Map<string, number>();

  private readonly tier: L2Tier | null;

  constructor(
    private readonly config: CacheConfig,
    l2: L2Cache | null = null,
  ) {
    this.store = new ResultStore(config.maxBytes);
    this.tier = l2 && new L2Tier(l2, this.store);
    l2?.listen({ invalidate: (dataset) => this.invalidateLocal(dataset), drop: (_, key) => this.store.delete(key) });
  }

  /** The shared cache in Redis, when configured. */
  get l2(): L2Cache | null {
    return this.tier?.l2 ?? null;
  }

  async answer(plan: AggregatePlan, dataset: DatasetConfig, mode: CacheMode, io: SourceAccess, signal?: AbortSignal): Promise<CachedAnswer> {
    if (mode === 'DEFAULT' && this.config.enabled) {
      const found = this.lookup(plan, dataset);
      if (found.entry) {
        return { table: this.finish(plan, found.entry, dataset), outcome: found.outcome, entryKey: found.entry.key, ageMs: Date.now() - found.entry.createdAt };
      }
    }
    if (mode === 'BYPASS' || !this.config.enabled) {
      const table = await this.bypass(plan, dataset, io, signal ?? new AbortController().signal);
      return { table, outcome: 'BYPASS', entryKey: null, ageMs: 0 };
    }
    // The client is gone: start nothing (and join nothing) at the source for it.
    if (signal?.aborted) throw abortedBeforeSource(dataset);
    const ticket = await this.enterL2(plan, dataset, mode);
    if (ticket?.found) {
      const found = this.lookup(plan, dataset);
      if (found.entry) return { table: this.finish(plan, found.entry, dataset), outcome: found.outcome, entryKey: found.entry.key, ageMs: Date.now() - found.entry.createdAt };
    }
    const generation = this.generationOf(dataset.name);
    const core = coreOf(plan, false);
    const pushed = coreOf(plan, true);
    const fetchPushed = (flightSignal: AbortSignal) =>
      this.acrossReplicas(ticket, dataset, planKey(pushed), flightSignal, async () => this.store_(pushed, await io.fetch(planOfCore(pushed), flightSignal), dataset, generation, ticket), () =>
        this.tier!.recheck(dataset, ticket!.gen, pushed, () => this.generationOf(dataset.name)),
      );
    const bounded = isTopN(plan);
    let entry: CacheEntry;
    if (bounded && this.largeCores.known(core, generation)) {
      // An earlier bounded read found this core too large: straight to the pushed-down top-N.
      entry = await this.fly(generation, pushed, signal, fetchPushed);
    } else {
      // A top-N reads at most max + 1 rows of the plain core (see limitPushdown.ts); a core
      // that reaches the bound is remembered as large and the top-N pushed down, each caller
      // with its own order and limit. The bounded flight is keyed apart from the whole one.
      const whole = await this.fly(generation, core, signal, (flightSignal) =>
        this.acrossReplicas(ticket, dataset, `${planKey(core)}${bounded ? '/bounded' : ''}`, flightSignal, async () => {
          const table = await this.readCore(core, bounded, dataset, generation, io, flightSignal);
          return table && this.store_(core, table, dataset, generation, ticket);
        }, () => this.tier!.recheck(dataset, ticket!.gen, core, () => this.generationOf(dataset.name))),
      bounded);
      entry = whole ?? (await this.fly(generation, pushed, signal, fetchPushed));
    }
    return { table: this.finish(plan, entry, dataset), outcome: 'MISS', entryKey: entry.key, ageMs: Date.now() - entry.createdAt };
  }

  /**
   * BYPASS (or the cache switched off): nothing is read or stored, but the source gets the
   * statements a miss would send. A grouped plan fetches its plain core (a top-N at most
   * maxCoreRows + 1 rows of it) and having, order and limit run here, so an ORDER BY never
   * steers the source's aggregation strategy (a sort-based GroupAggregate spilling to disk
   * where a hash aggregate fits); only a core past the bound has them pushed down.
   */
  private async bypass(plan: AggregatePlan, dataset: DatasetConfig, io: SourceAccess, signal: AbortSignal): Promise<Table> {
    if (plan.dimensions.length === 0) return io.fetch(plan, signal);
    const core = coreOf(plan, false);
    const bounded = isTopN(plan);
    const generation = this.generationOf(dataset.name);
    if (!bounded || !this.largeCores.known(core, generation)) {
      const table = await this.readCore(core, bounded, dataset, generation, io, signal);
      if (table) return deriveTable(plan, core, table, dataset);
    }
    return io.fetch(planOfCore(coreOf(plan, true)), signal);
  }

  /**
   * Reads a core at the source: whole, or for a top-N (`bounded`) at most maxCoreRows + 1
   * rows of its plain statement. A bounded read that reaches the bound is remembered as
   * large and gives null: the caller pushes the top-N down instead. With a source that
   * estimates (`io.estimate`), the estimate runs beside the bounded read: one far past the
   * bound cancels the read (a huge distributed aggregate need not finish) and gives null too;
   * a read that ends first is the answer, and the estimate is cancelled.
   */
  private async readCore(core: CorePlan, bounded: boolean, dataset: DatasetConfig, generation: string, io: SourceAccess, signal: AbortSignal): Promise<Table | null> {
    const max = this.config.maxCoreRows;
    if (!bounded) return io.fetch(planOfCore(core), signal);
    const estimate = io.estimate;
    const read = (readSignal: AbortSignal) => io.fetch(planOfCore(core), readSignal, { maxRows: max + 1 });
    const table = estimate
      ? await readUnlessLarge(read, (estimateSignal) => this.largeCores.estimateLarge(core, generation, max, dataset.cache.ttlMs, estimate, estimateSignal), signal)
      : await read(signal);
    if (table === null) return null;
    if (table.numRows <= max) return table;
    this.largeCores.remember(core, generation, table.numRows, dataset.cache.ttlMs);
    return null;
  }

  /**
   * A rows plan and its totals plan (same dataset, filter and security) answered together.
   * When both miss, one statement fetches both and both cores are stored: one round trip
   * instead of two (sharedStatement says which statement). A top-N reads it bounded like
   * any top-N core; when the groups overflow the bound, the rows are pushed down and the
   * totals come from the same read if they can (grouping sets: the totals row was read),
   * else from a statement of their own. Otherwise each plan is answered on its own.
   */
  async answerWithTotals(
    rows: AggregatePlan,
    totals: AggregatePlan,
    dataset: DatasetConfig,
    mode: CacheMode,
    io: SourceAccess,
    signal?: AbortSignal,
  ): Promise<readonly [CachedAnswer, CachedAnswer]> {
    const alone = () => Promise.all([this.answer(rows, dataset, mode, io, signal), this.answer(totals, dataset, mode, io, signal)] as const);
    let shared = mode === 'DEFAULT' ? this.sharedStatement(rows, totals, dataset) : null;
    if (!shared) return alone();
    if (signal?.aborted) throw abortedBeforeSource(dataset);
    // Both missed L1: L2 may hold either (then each is answered alone, from L1).
    const tickets = this.tier ? await Promise.all([this.enterL2(rows, dataset, mode), this.enterL2(totals, dataset, mode)]) : [null, null];
    const ticket = tickets[0] ?? tickets[1];
    if (tickets.some((t) => t?.found)) shared = this.sharedStatement(rows, totals, dataset);
    if (!shared) return alone();
    const rowsCore = coreOf(rows, false);
    const totalsCore = coreOf(totals, false);
    const generation = this.generationOf(dataset.name);
    const max = this.config.maxCoreRows;
    const bounded = isTopN(rows);
    const key = `${generation}/${planKey(shared.core)}/with/${planKey(totalsCore)}${bounded ? '/bounded' : ''}`;
    const recheckPair = async () => {
      const current = () => this.generationOf(dataset.name);
      const [r, t] = await Promise.all([this.tier!.recheck(dataset, ticket!.gen, rowsCore, current), this.tier!.recheck(dataset, ticket!.gen, totalsCore, current)]);
      return r && t ? { rows: r, totals: t } : null;
    };
    const pair = await this.pairFlights.run(
      key,
      (flightSignal) => this.acrossReplicas(ticket, dataset, key.slice(generation.length + 1), flightSignal, async () => {
        const rowColumns = columnsOf(rows);
        if (shared.totals) {
          // Grouping sets: the totals row is one more row, so a bound of max + 2 still tells a core of max groups from a larger one.
          const maxRows = bounded ? max + 2 : undefined;
          const table = await io.fetch(planOfCore(shared.core), flightSignal, { totals: shared.totals, ...(maxRows ? { maxRows } : {}) });
          const split = splitTotals(table, rowColumns, totals.measures.map((m) => m.key));
          const cut = maxRows !== undefined && table.numRows >= maxRows;
          if (cut) this.largeCores.remember(rowsCore, generation, split.rows.numRows, dataset.cache.ttlMs);
          return {
            rows: cut ? null : this.store_(rowsCore, split.rows, dataset, generation, ticket),
            totals: split.totals.numRows === 1 ? this.store_(totalsCore, split.totals, dataset, generation, ticket) : null,
          };
        }
        // The rows core with the totals' leaves too; the totals are rolled up from its groups.
        const table = await io.fetch(planOfCore(shared.core), flightSignal, bounded ? { maxRows: max + 1 } : {});
        if (bounded && table.numRows > max) {
          this.largeCores.remember(rowsCore, generation, table.numRows, dataset.cache.ttlMs);
          return { rows: null, totals: null };
        }
        const rowsTable = new Table(Object.fromEntries(rowColumns.map((name) => [name, table.getChild(name)!])));
        return {
          rows: this.store_(rowsCore, rowsTable, dataset, generation, ticket),
          totals: this.store_(totalsCore, deriveTable(planOfCore(totalsCore), shared.core, table, dataset), dataset, generation, ticket),
        };
      }, recheckPair),
      signal,
    ).promise;
    const answered = (plan: AggregatePlan, entry: CacheEntry): CachedAnswer => ({
      table: this.finish(plan, entry, dataset),
      outcome: 'MISS',
      entryKey: entry.key,
      ageMs: Date.now() - entry.createdAt,
    });
    return Promise.all([
      pair.rows ? answered(rows, pair.rows) : this.answer(rows, dataset, mode, io, signal),
      pair.totals ? answered(totals, pair.totals) : this.answer(totals, dataset, mode, io, signal),
    ] as const);
  }

  /**
   * The one statement that would answer a rows plan and its totals plan now, when both miss;
   * null when they go to the source each on its own. Without countDistinct, it is the rows
   * core with the totals' leaves added (a plain GROUP BY: the source aggregates as it would
   * the rows alone) and the totals are rolled up from its groups. A distinct count does not
   * roll up: when the rows have one, the source sorts to group anyway, and grouping sets
   * ((dims), ()) add the exact totals row (`totals`); when only the totals have one, adding
   * it to the rows would make the source sort them, so they go apart.
   */
  sharedStatement(rows: AggregatePlan, totals: AggregatePlan, dataset: DatasetConfig): { readonly core: CorePlan; readonly totals?: readonly LeafMeasure[] } | null {
    if (!this.config.enabled || !canShareStatement(rows, totals)) return null;
    if (this.lookup(rows, dataset).entry || this.lookup(totals, dataset).entry) return null;
    const rowsCore = coreOf(rows, false);
    if (isTopN(rows) && this.largeCores.known(rowsCore, this.generationOf(dataset.name))) return null;
    const distinct = (m: LeafMeasure) => m.fn === 'countDistinct';
    if (rows.measures.some(distinct)) return { core: rowsCore, totals: totals.measures };
    if (totals.measures.some(distinct)) return null;
    const measures = [...rows.measures, ...totals.measures.filter((t) => !rows.measures.some((m) => m.key === t.key))].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { core: Object.freeze({ ...rowsCore, measures: Object.freeze(measures) }) };
  }

  /** One source call per (generation, core) at a time; a bounded read is a flight of its own. */
  private fly<T extends CacheEntry | null>(
    generation: string,
    core: CorePlan,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
    bounded = false,
  ): Promise<T> {
    return this.flights.run(`${generation}/${planKey(core)}${bounded ? '/bounded' : ''}`, work, signal).promise as Promise<T>;
  }

  /** Builds the entry for a fetched core, and stores it (in L2 too, with a ticket) unless its dataset was invalidated since the fetch began. */
  private store_(core: CorePlan, table: Table, dataset: DatasetConfig, generation: string, ticket: L2Ticket | null = null): CacheEntry {
    const baseBytes = entryBaseBytes(core, table);
    const entry: CacheEntry = { key: planKey(core), core, table, baseBytes, bytes: baseBytes, createdAt: Date.now(), derived: new Map() };
    if (generation === this.generationOf(dataset.name)) {
      this.store.set(entry, dataset.cache.ttlMs);
      if (ticket) this.tier!.write(dataset, ticket, entry, dataset.cache.ttlMs);
    }
    return entry;
  }

  /** After an L1 miss: L2's ticket (and L2's answer put in L1, for DEFAULT); null without L2 or with Redis down. */
  private enterL2(plan: AggregatePlan, dataset: DatasetConfig, mode: CacheMode): Promise<L2Ticket | null> {
    if (!this.tier || mode === 'BYPASS') return Promise.resolve(null);
    return this.tier.enter(plan, dataset, mode === 'REFRESH', () => this.generationOf(dataset.name));
  }

  /**
   * A source query that other replicas missing the same core wait for (L2's lock), reading
   * its result from L2 (`recheck`) instead of querying too. REFRESH and Redis down: run alone.
   */
  private acrossReplicas<T>(ticket: L2Ticket | null, dataset: DatasetConfig, name: string, signal: AbortSignal, run: () => Promise<T>, recheck: () => Promise<T | null>): Promise<T> {
    if (!this.tier || !ticket || ticket.refresh) return run();
    return this.tier.l2.exclusive(dataset, ticket.gen, name, signal, run, () => Promise.allSettled(ticket.writes), recheck);
  }

  /** The decision `answer` would take now in DEFAULT mode, without running anything at the source. */
  decide(plan: AggregatePlan, dataset: DatasetConfig): CacheDecision {
    if (!this.config.enabled) return { outcome: 'BYPASS', entryKey: null, rejected: [], pushdown: null };
    const found = this.lookup(plan, dataset);
    if (found.entry) return { outcome: found.outcome, entryKey: found.entry.key, rejected: found.rejected, pushdown: null };
    const known = isTopN(plan) ? this.largeCores.known(coreOf(plan, false), this.generationOf(dataset.name)) : null;
    return { outcome: 'MISS', entryKey: null, rejected: found.rejected, pushdown: decidePushdown(plan, known, this.config.maxCoreRows) };
  }

  /**
   * Drops a dataset's entries (every dataset's when undefined) and starts its next
   * generation, on every replica. `refreshKey`: a refreshKey poll saw this new value; every
   * replica polls, and only the first to report a value invalidates L2 for all.
   */
  invalidate(dataset?: string, refreshKey?: string): number {
    // Never rejects; with Redis down, done on reconnect.
    if (dataset !== undefined && refreshKey !== undefined) void this.tier?.l2.refreshKeyChanged(dataset, refreshKey);
    else void this.tier?.l2.invalidate(dataset);
    return this.invalidateLocal(dataset);
  }

  /** Drops this replica's entries of a dataset (every dataset's when undefined) and starts its next generation. */
  private invalidateLocal(dataset?: string): number {
    if (dataset === undefined) this.epoch++;
    else this.generations.set(dataset, (this.generations.get(dataset) ?? 0) + 1);
    this.largeCores.clear(); // keyed by generation, so unreachable now; the data may have changed
    return this.store.clear(dataset);
  }

  private generationOf(dataset: string): string {
    return `${this.epoch}.${this.generations.get(dataset) ?? 0}`;
  }

  private lookup(plan: AggregatePlan, dataset: DatasetConfig) {
    for (const pushdown of [false, true]) {
      const entry = this.store.get(coreKeyOf(plan, pushdown));
      if (entry) return { entry, outcome: 'HIT' as const, rejected: [] };
    }
    const entries = this.store.entriesOf(dataset.name);
    const candidates = entries.map((e) => ({ key: e.key, core: e.core, rows: e.table.numRows }));
    const { chosen, rejected } = chooseCandidate(plan, candidates, dataset);
    const entry = chosen ? entries.find((e) => e.key === chosen.key) : undefined;
    return { entry, outcome: 'DERIVED' as const, rejected };
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
      let memoBytes = memoBytesOf(entry.table);
      for (const derived of entry.derived.values()) memoBytes += tableBytes(derived) + 64;
      // A memo that would take the entry past half the cache is served, not kept: keeping
      // it would evict the rest of the cache, or the entry itself.
      const added = tableBytes(table) + 64;
      if (table.numRows <= MAX_DERIVED_ROWS && entry.baseBytes + memoBytes + added <= this.config.maxBytes / 2) {
        if (entry.derived.size >= MAX_DERIVED_PER_ENTRY) {
          const oldest = entry.derived.keys().next().value!;
          memoBytes -= tableBytes(entry.derived.get(oldest)!) + 64;
          entry.derived.delete(oldest);
        }
        entry.derived.set(key, table);
        memoBytes += added;
      }
      this.store.resize(entry, entry.baseBytes + memoBytes);
    }
    return table;
  }
}

/** A request that was aborted before its source query started: nothing is started (or joined) for it. */
function abortedBeforeSource(dataset: DatasetConfig): TributaryError {
  return new TributaryError(ErrorCode.SOURCE_TIMEOUT, `dataset ${dataset.name}: the request was aborted before its source query started`, { dataset: dataset.name });
}

/** A top-N over groups: its core is read bounded (limitPushdown.ts). */
function isTopN(plan: AggregatePlan): boolean {
  return plan.limit !== null && plan.dimensions.length > 0;
}

/** A grouped rows plan and a totals plan over the same rows can share one grouping-sets statement. */
function canShareStatement(rows: AggregatePlan, totals: AggregatePlan): boolean {
  return (
    rows.dataset === totals.dataset &&
    rows.dimensions.length > 0 &&
    totals.dimensions.length === 0 &&
    totals.measures.length > 0 &&
    totals.having === null &&
    canonicalJson(rows.filter) === canonicalJson(totals.filter) &&
    canonicalJson(rows.security) === canonicalJson(totals.security)
  );
}

/** The columns of a rows core's result, in compileSql's order: dimensions, then leaves. */
function columnsOf(plan: AggregatePlan): string[] {
  return [...plan.dimensions.map((d) => d.key), ...plan.measures.map((m) => m.key)];
}
