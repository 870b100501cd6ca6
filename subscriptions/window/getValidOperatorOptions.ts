import type { Aggregation, MeasureSpec, StreamEvent, WindowSpec } from './types.ts';

export interface WindowOperatorOptions {
  readonly window: WindowSpec;
  /** How long after a window's end (in stream time) events may still revise it. */
  readonly graceMs: number;
  /** The dimensions rows are grouped by, in output sort order. */
  readonly groupBy: readonly string[];
  readonly measures: readonly MeasureSpec[];
  /** Keeps an event when true (see compileEventFilter); events it rejects change nothing. */
  readonly where?: (dims: StreamEvent['dims']) => boolean;
}

const AGGREGATIONS: readonly Aggregation[] = ['sum', 'count', 'countDistinct', 'avg', 'min', 'max'];
const WINDOW_KINDS: readonly string[] = ['tumble', 'hop', 'session'];

/** Validates the options once, in the constructor; errors restate the contract and show what was received. */
export function getValidOperatorOptions(options: WindowOperatorOptions): WindowOperatorOptions {
  const fail = (expected: string, received: unknown): never => {
    throw new Error(`WindowOperator: ${expected}, but received: ${show(received)}`);
  };
  if (typeof options !== 'object' || options === null) fail('options must be an object', options);
  const { window, graceMs, groupBy, measures, where } = options;
  if (typeof window !== 'object' || window === null || !WINDOW_KINDS.includes(window.kind)) {
    fail('window must be { kind: "tumble" | "hop" | "session", ... }', window);
  }
  if (typeof graceMs !== 'number' || !Number.isFinite(graceMs) || graceMs < 0) {
    fail('graceMs must be a finite number of milliseconds >= 0', graceMs);
  }
  if (!Array.isArray(groupBy) || groupBy.some((d) => typeof d !== 'string') || new Set(groupBy).size !== groupBy.length) {
    fail('groupBy must be an array of distinct dimension names', groupBy);
  }
  const names = new Set<string>();
  if (!Array.isArray(measures)) fail('measures must be an array of { name, aggregation }', measures);
  for (const m of measures) {
    if (typeof m?.name !== 'string' || !AGGREGATIONS.includes(m.aggregation)) {
      fail(`each measure must be { name: string, aggregation: ${AGGREGATIONS.join(' | ')} }`, m);
    }
    if (names.has(m.name)) fail('measure names must be distinct', m.name);
    names.add(m.name);
  }
  if (where !== undefined && typeof where !== 'function') fail('where must be a function of the dimensions, or absent', where);
  return options;
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  return JSON.stringify(value) ?? String(value);
}
