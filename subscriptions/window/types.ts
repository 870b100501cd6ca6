/**
 * The windowing engine's data. Everything here is plain data: the operator hands out
 * frozen copies, never its internal state.
 */

/** How events are cut into windows. Durations are positive integers of milliseconds. */
export type WindowSpec =
  | { readonly kind: 'tumble'; readonly sizeMs: number }
  | { readonly kind: 'hop'; readonly sizeMs: number; readonly advanceMs: number }
  | { readonly kind: 'session'; readonly gapMs: number };

export type DimensionValue = string | number | boolean | null;

/**
 * A measure's input in one event: a number, or a string for countDistinct of a string
 * column; null is SQL null; count(*) measures get 1.
 */
export type MeasureInput = string | number | null;

/**
 * One decoded event: event time (epoch ms), dimension values by name, measure inputs by
 * measure name. A missing dimension or measure input is null.
 */
export interface StreamEvent {
  readonly time: number;
  readonly dims: Readonly<Record<string, DimensionValue>>;
  readonly values: Readonly<Record<string, MeasureInput>>;
}

export type Aggregation = 'sum' | 'count' | 'countDistinct' | 'avg' | 'min' | 'max';

export interface MeasureSpec {
  readonly name: string;
  readonly aggregation: Aggregation;
}

export interface WindowRow {
  readonly dims: Record<string, DimensionValue>;
  readonly measures: Record<string, number | null>;
}

/**
 * Identifies one window of one operator while it is open: `"<start>"` for tumbling and
 * hopping windows, `"session-<n>"` for sessions (whose start and end move as they grow).
 */
export type WindowKey = string;

/**
 * One version of a window. `revision` is 0 when the window is created and grows by one
 * with every later `add` that changes it; `final` is true only for the version handed
 * out when the window closes.
 */
export interface WindowState {
  readonly key: WindowKey;
  readonly start: number;
  readonly end: number;
  readonly final: boolean;
  readonly revision: number;
  readonly rows: readonly WindowRow[];
}

/**
 * What one `add` did. `accepted` is false for late and bad events. `changed` lists the open
 * windows whose rows changed (each now one revision further); `removed` lists sessions
 * absorbed by a merge, which are gone without a final version.
 */
export interface AddResult {
  readonly accepted: boolean;
  readonly late: boolean;
  readonly changed: readonly WindowKey[];
  readonly removed: readonly WindowKey[];
}
