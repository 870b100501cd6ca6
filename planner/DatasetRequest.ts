import type { Granularity } from '../schema/index.ts';

/** How a time dimension's missing buckets are filled (`fill:`): see docs/DESIGN.md "Analytics". */
export type FillMode = 'zero' | 'null' | 'previous';

/** One selected dimension. */
export interface RequestedDimension {
  readonly name: string;
  readonly granularity: Granularity | null;
  /** A dataset's own granularity (`granularities:`), by name; `granularity` is then null. */
  readonly custom?: string | null;
  /** Time dimensions: return every bucket of the range, missing ones filled so. */
  readonly fill?: FillMode | null;
}

/** A measure field with `rolling:` (`revenue(rolling: "7d")`): its value at a bucket aggregates the window ending there. */
export interface RollingMeasure {
  readonly measure: string;
  /** The window as written (`"7d"`, `"3 MONTH"`); analyticsKeys.rollingKey names its row key. */
  readonly window: string;
}

/**
 * What one dataset query field asked for, lifted out of the GraphQL selection by the
 * resolver: plain data, so the planner never sees GraphQL ASTs.
 */
export interface DatasetRequest {
  readonly dataset: string;
  /** Null when `rows` is not selected. */
  readonly rows: {
    readonly dimensions: readonly RequestedDimension[];
    readonly measures: readonly string[];
    readonly calcs: readonly string[];
    /** Measure fields selected with `rolling:`. */
    readonly rolling?: readonly RollingMeasure[];
    /** Measures selected under `previous { ... }` (with `compare`). */
    readonly previous?: readonly string[];
  } | null;
  /** Null when `totals` is not selected. */
  readonly totals: { readonly measures: readonly string[]; readonly calcs: readonly string[] } | null;
  readonly where?: unknown;
  readonly having?: unknown;
  readonly orderBy?: readonly Readonly<Record<string, unknown>>[] | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
  /** Period-over-period: each row gains `previous` over the where's time range shifted so. */
  readonly compare?: { readonly to: 'previousPeriod' | 'previousYear' } | null;
}
