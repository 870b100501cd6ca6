import type { Table } from 'apache-arrow';
import type { CacheMode, CacheOutcome, PlanCache } from '../cache/index.ts';
import type { AggregatePlan, DatasetRequest, Expression, Filter, QueryPlans, ResolvedRange } from '../planner/index.ts';
import type { Config, DatasetConfig } from '../schema/index.ts';
import type { Access, Authenticator } from '../security/index.ts';
import type { Source, SourceProgress } from '../sources/index.ts';
import type { StreamHub } from '../subscriptions/index.ts';
import type { Metrics } from './metrics.ts';
import type { SourceSlots } from './SourceSlots.ts';

/**
 * What the gateway is to the code that calls it (resolvers, server plugins, explain) and
 * to the code it calls (runPlan): types only, so neither side imports the implementation
 * in gateway.ts.
 */
export interface SourceCall {
  readonly source: string;
  readonly sql: string;
  readonly ms: number;
  readonly rows: number;
  /** The last stats the source reported for the query (Trino: id, state, splits, rows); absent where a source reports none. */
  readonly progress?: SourceProgress;
}

export interface PlanResult {
  readonly plan: AggregatePlan;
  readonly table: Table;
}

/** What the gateway hands the resolvers for one dataset query. */
export interface DatasetAnswer {
  readonly rows: PlanResult | null;
  readonly totals: PlanResult | null;
  readonly calcs: ReadonlyMap<string, Expression>;
  readonly meta: {
    readonly cache: CacheOutcome;
    readonly sources: readonly SourceCall[];
    readonly ageMs: number;
    /** More rows existed than `rows` holds: the limit (or server.defaultLimit) cut them. */
    readonly truncated: boolean;
    /** The request's relative ranges (inRange) as resolved at the gateway's now(); empty when none. */
    readonly ranges: readonly ResolvedRange[];
  };
}

/** One version of a progressive answer (server/progressive/): the answer over the slices done so far. */
export interface ProgressiveVersion extends DatasetAnswer {
  /** Fraction of the slices done, 0..1; 1 on the final version. */
  readonly progress: number;
  /** True on the last version, the exact answer. */
  readonly final: boolean;
  /** The time slices, newest first: which are in this version, and how the cache answered them. */
  readonly slices: readonly ProgressSlice[];
}

/** One time slice of a progressive answer: [from, to) in the dataset's zone, null where open. */
export interface ProgressSlice {
  readonly from: string | null;
  readonly to: string | null;
  readonly done: boolean;
  /** How the cache answered it; null until done. */
  readonly cache: CacheOutcome | null;
}

export interface AnswerOptions {
  readonly signal?: AbortSignal;
  readonly cacheMode?: CacheMode;
  /** The verified caller: their role's row policies become the plans' security predicates. */
  readonly access?: Access;
  /** Bounds the request's source queries in flight. */
  readonly sourceSlots?: SourceSlots;
}

export interface Gateway {
  readonly config: Config;
  /** Verifies callers; null when the config has no `auth` (the gateway is open). */
  readonly authenticate: Authenticator | null;
  readonly sources: ReadonlyMap<string, Source>;
  readonly metrics: Metrics;
  readonly cache: PlanCache;
  /** Kafka feeds, shared window operators and landing writers of the streams. */
  readonly streams: StreamHub;
  /** The gateway's clock (epoch ms): relative ranges (inRange) resolve against it. Injectable: createGateway(config, { now }). */
  now(): number;
  /**
   * buildPlan with a memo of recent requests; `over` defaults to the request's dataset (a
   * fusion passes its view); `security` are the caller's row-policy predicates.
   */
  plan(request: DatasetRequest, over?: DatasetConfig, security?: readonly Filter[]): QueryPlans;
  answer(request: DatasetRequest, options?: AnswerOptions): Promise<DatasetAnswer>;
  /** The same answer in time slices, version by version (server/progressive/); return() cancels what is left. */
  answerProgressively(request: DatasetRequest, options?: AnswerOptions): AsyncIterableIterator<ProgressiveVersion>;
  close(): Promise<void>;
}
