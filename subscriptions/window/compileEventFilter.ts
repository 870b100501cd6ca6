import { assertNever, type Filter } from '../../planner/index.ts';
import { compareHolds, compareNonNull, every3, not3, some3, TRUE, truthOf, UNKNOWN, type Truth } from '../../values/index.ts';
import type { DimensionValue, StreamEvent } from './types.ts';

/**
 * A plan filter as a predicate on one event's dimensions, in SQL's three-valued logic (as
 * cache/derive/evaluateFilter over cached rows): comparisons with null are unknown, NOT
 * unknown is unknown, and only TRUE keeps the event, so a subscription's `where` matches
 * the same events a query's WHERE would. Values are compared as they come: a time
 * dimension must arrive in the filter's terms. A null filter keeps everything.
 */
export function compileEventFilter(filter: Filter | null): (dims: StreamEvent['dims']) => boolean {
  if (filter === null) return () => true;
  return (dims) => evaluate(filter, dims) === TRUE;
}

function evaluate(f: Filter, dims: StreamEvent['dims']): Truth {
  switch (f.kind) {
    case 'const':
      return truthOf(f.value);
    case 'and':
      return every3(f.args, evaluate, dims);
    case 'or':
      return some3(f.args, evaluate, dims);
    case 'not':
      return not3(evaluate(f.arg, dims));
    case 'isNull':
      return truthOf((valueOf(dims, f.field) === null) === f.isNull);
    case 'compare':
    case 'in':
    case 'match': {
      const v = valueOf(dims, f.field);
      if (v === null) return UNKNOWN;
      if (f.kind === 'compare') return truthOf(compareHolds(f.op, compareNonNull(v, f.value)));
      if (f.kind === 'in') return truthOf(f.values.some((w) => compareNonNull(v, w) === 0) !== f.negated);
      return truthOf(f.op === 'contains' ? String(v).includes(f.value) : String(v).startsWith(f.value));
    }
    default:
      return assertNever(f);
  }
}

function valueOf(dims: StreamEvent['dims'], field: string): DimensionValue {
  return dims[field] ?? null;
}
