import type { Granularity } from '../schema/index.ts';

/**
 * What one dataset query field asked for, lifted out of the GraphQL selection by the
 * resolver: plain data, so the planner never sees GraphQL ASTs.
 */
export interface DatasetRequest {
  readonly dataset: string;
  /** Null when `rows` is not selected. */
  readonly rows: {
    readonly dimensions: readonly { readonly name: string; readonly granularity: Granularity | null }[];
    readonly measures: readonly string[];
    readonly calcs: readonly string[];
  } | null;
  /** Null when `totals` is not selected. */
  readonly totals: { readonly measures: readonly string[]; readonly calcs: readonly string[] } | null;
  readonly where?: unknown;
  readonly having?: unknown;
  readonly orderBy?: readonly Readonly<Record<string, unknown>>[] | null;
  readonly limit?: number | null;
  readonly offset?: number | null;
}
