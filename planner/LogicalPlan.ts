import type { DimensionType, Granularity } from '../schema/index.ts';
import type { CompareOp } from '../values/index.ts';

/**
 * The normalized, source-independent description of one aggregate query.
 *
 * Invariants (established by `buildPlan`, relied on by the cache key and by derivation):
 * - plain frozen JSON: no class instances, functions or Arrow data;
 * - `dimensions` sorted by `key`, `measures` sorted by `key`, both without duplicates;
 * - filters normalized by `normalizeFilter` (flattened, sorted, IN lists sorted and unique);
 * - `order` is total: the requested keys, then every remaining dimension ascending.
 */
export interface AggregatePlan {
  readonly kind: 'aggregate';
  readonly dataset: string;
  readonly dimensions: readonly PlanDimension[];
  readonly measures: readonly LeafMeasure[];
  readonly filter: Filter | null;
  readonly having: Filter | null;
  readonly order: readonly OrderKey[];
  readonly limit: number | null;
  readonly offset: number;
  /** Row-level predicates added by access policies; ANDed with `filter`. */
  readonly security: readonly Filter[];
}

/** A grouping column. `key` names the output column: `region`, or `orderDate.month` for time. */
export interface PlanDimension {
  readonly name: string;
  readonly type: DimensionType;
  readonly granularity: Granularity | null;
  readonly key: string;
}

/**
 * A re-aggregable piece of a configured measure. `avg` is stored as two leaves (sum and
 * count) so that it can be rolled up later; every other aggregation is its own leaf.
 * `key` names the output column: `revenue.sum`, `avgPrice.count`.
 */
export interface LeafMeasure {
  readonly measure: string;
  readonly fn: LeafFunction;
  readonly key: string;
}
export type LeafFunction = 'sum' | 'count' | 'countDistinct' | 'min' | 'max';

/** `target` says whether `field` is a dimension key or a measure name. */
export interface OrderKey {
  readonly target: 'dimension' | 'measure';
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

export type Scalar = string | number | boolean;

/**
 * A predicate. In `filter`, `field` is a dimension name and time values are instants as
 * ISO strings in UTC; in `having`, `field` is a measure name.
 */
export type Filter =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'and'; readonly args: readonly Filter[] }
  | { readonly kind: 'or'; readonly args: readonly Filter[] }
  | { readonly kind: 'not'; readonly arg: Filter }
  | { readonly kind: 'compare'; readonly field: string; readonly op: CompareOp; readonly value: Scalar }
  | { readonly kind: 'in'; readonly field: string; readonly values: readonly Scalar[]; readonly negated: boolean }
  | { readonly kind: 'match'; readonly field: string; readonly op: 'contains' | 'startsWith'; readonly value: string }
  | { readonly kind: 'isNull'; readonly field: string; readonly isNull: boolean };

/** The comparison operators of a filter; defined with their meaning in values/compareHolds. */
export type { CompareOp };

export function leafKey(measure: string, fn: LeafFunction): string {
  return `${measure}.${fn}`;
}

export function dimensionKey(name: string, granularity: Granularity | null): string {
  return granularity ? `${name}.${granularity}` : name;
}

/** Fails to compile when a switch over a union misses a case. */
export function assertNever(value: never): never {
  throw new Error(`unexpected variant: ${JSON.stringify(value)}`);
}

/**
 * The cacheable unit of a plan: what is grouped, aggregated and filtered at the source.
 * Having, order, limit and offset are applied to cached rows, except when the source had
 * to apply them itself (`pushdown`, for top-N over very many groups): such a core answers
 * only plans with the same pushdown.
 */
export interface CorePlan {
  readonly kind: 'core';
  readonly dataset: string;
  readonly dimensions: readonly PlanDimension[];
  readonly measures: readonly LeafMeasure[];
  readonly filter: Filter | null;
  readonly security: readonly Filter[];
  readonly pushdown: Pushdown | null;
}

/** The post-aggregation steps a pushed-down core had the source apply. */
export interface Pushdown {
  readonly having: Filter | null;
  readonly order: readonly OrderKey[];
  readonly limit: number | null;
  readonly offset: number;
}

/** The core of a plan, with or without its post-aggregation steps pushed to the source. */
export function coreOf(plan: AggregatePlan, pushdown: boolean): CorePlan {
  // A frozen plan (memoized for repeated requests) keeps its two cores: what is remembered
  // per core object (its plan and statement) is then found again.
  const known = Object.isFrozen(plan) ? coresOfPlans.get(plan) : undefined;
  const index = pushdown ? 1 : 0;
  if (known?.[index]) return known[index];
  const core = buildCore(plan, pushdown);
  if (Object.isFrozen(plan)) {
    const pair = known ?? [undefined, undefined];
    pair[index] = core;
    if (!known) coresOfPlans.set(plan, pair);
  }
  return core;
}

const coresOfPlans = new WeakMap<AggregatePlan, [CorePlan | undefined, CorePlan | undefined]>();

function buildCore(plan: AggregatePlan, pushdown: boolean): CorePlan {
  return Object.freeze({
    kind: 'core',
    dataset: plan.dataset,
    dimensions: plan.dimensions,
    measures: plan.measures,
    filter: plan.filter,
    security: plan.security,
    pushdown: pushdown
      ? Object.freeze({ having: plan.having, order: plan.order, limit: plan.limit, offset: plan.offset })
      : null,
  });
}
