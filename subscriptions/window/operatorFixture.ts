import type { AddResult, StreamEvent, WindowState } from './types.ts';
import { WindowOperator, type WindowOperatorOptions } from './WindowOperator.ts';

/** Test helpers: compact events in, compact windows out. */

/** An order event: `region` dimension, `revenue` = amount, `orders` = count(*). */
export function order(time: number, region: string | null = 'East', amount: number | null = 1): StreamEvent {
  return { time, dims: { region }, values: { revenue: amount, orders: 1 } };
}

export const ORDERS = {
  graceMs: 500,
  groupBy: ['region'],
  measures: [
    { name: 'revenue', aggregation: 'sum' },
    { name: 'orders', aggregation: 'count' },
  ],
} as const satisfies Omit<WindowOperatorOptions, 'window'>;

/** A window as `{ start, end, revision, rows }` with each row's dims and measures in one object. */
export interface Compact {
  readonly start: number;
  readonly end: number;
  readonly revision: number;
  readonly rows: readonly Record<string, unknown>[];
}

export function compact(state: WindowState): Compact {
  const { start, end, revision } = state;
  return { start, end, revision, rows: state.rows.map((r) => ({ ...r.dims, ...r.measures })) };
}

export interface Run {
  readonly operator: WindowOperator;
  readonly results: readonly AddResult[];
  /** Final versions from `closeDue()` after every add, in order. */
  readonly finals: readonly Compact[];
  readonly open: readonly Compact[];
}

/** Adds the events in order, calling `closeDue()` after each, as the stream driver does. */
export function run(options: WindowOperatorOptions, events: readonly StreamEvent[]): Run {
  const operator = new WindowOperator(options);
  const results: AddResult[] = [];
  const finals: WindowState[] = [];
  for (const event of events) {
    results.push(operator.add(event));
    for (const state of operator.closeDue()) {
      if (!state.final) throw new Error('closeDue returned a non-final window');
      finals.push(state);
    }
  }
  return { operator, results, finals: finals.map(compact), open: operator.openWindows().map(compact) };
}
