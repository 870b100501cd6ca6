import type { Table } from 'apache-arrow';
import type { AggregatePlan, LeafMeasure } from '../planner/index.ts';
import type { EstimateRows } from './LargeCores.ts';
import type { PushdownDecision } from './limitPushdown.ts';

/** What the cache answers with, and what it needs from the gateway: the types PlanCache's callers see. */

export type CacheOutcome = 'HIT' | 'DERIVED' | 'MISS' | 'BYPASS';
export type CacheMode = 'DEFAULT' | 'BYPASS' | 'REFRESH';

/** How the cache talks to the source: the gateway supplies it (and counts the calls). */
export interface SourceAccess {
  /**
   * Runs a plan at the source. `maxRows`: read at most that many rows of the plan's own
   * statement (no LIMIT is added, so the source plans it for the whole result). `totals`:
   * the plan is a grouped core, and the same statement also returns the totals of these
   * leaves (grouping sets), flagged by TOTALS_FLAG (see cache/splitTotals.ts).
   */
  fetch(plan: AggregatePlan, signal: AbortSignal, options?: FetchOptions): Promise<Table>;
  /**
   * Present for sources whose planner estimates are worth a round trip before a top-N's
   * bounded read (Trino): the estimated rows of a plan, null when unknown (LargeCores.ts).
   */
  readonly estimate?: EstimateRows;
}

export interface FetchOptions {
  readonly maxRows?: number;
  readonly totals?: readonly LeafMeasure[];
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
