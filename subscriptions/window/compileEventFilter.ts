import { assertNever, compareHolds, type Filter } from '../../planner/index.ts';
import { compareDimValues } from './compareDimValues.ts';
import type { DimensionValue, StreamEvent } from './types.ts';

const FALSE = 0;
const TRUE = 1;
const UNKNOWN = 2;
type Truth = typeof FALSE | typeof TRUE | typeof UNKNOWN;

/**
 * A plan filter as a predicate on one event's dimensions, in SQL's three-valued logic (as
 * cache/derive/evaluateFilter over cached rows): comparisons with null are unknown, NOT
 * unknown is unknown, and only TRUE keeps the event, so a subscription's `where` matches
 * the same events a query's WHERE would. Values are compared as they come: a time
 * dimension must arrive in the filter's terms. A null filter keeps everything.
 */
export function compileEventFilter(filter: Filter | null): (dims: StreamEvent['dims']) => boolean {
  if (filter === null) return () => true;
  return (dims) => truthOf(filter, dims) === TRUE;
}

function truthOf(f: Filter, dims: StreamEvent['dims']): Truth {
  switch (f.kind) {
    case 'const':
      return f.value ? TRUE : FALSE;
    case 'and':
    case 'or': {
      const absorbing = f.kind === 'and' ? FALSE : TRUE;
      let out: Truth = f.kind === 'and' ? TRUE : FALSE;
      for (const arg of f.args) {
        const t = truthOf(arg, dims);
        if (t === absorbing) return absorbing;
        if (t === UNKNOWN) out = UNKNOWN;
      }
      return out;
    }
    case 'not': {
      const t = truthOf(f.arg, dims);
      return t === UNKNOWN ? UNKNOWN : t === TRUE ? FALSE : TRUE;
    }
    case 'isNull':
      return (valueOf(dims, f.field) === null) === f.isNull ? TRUE : FALSE;
    case 'compare':
    case 'in':
    case 'match': {
      const v = valueOf(dims, f.field);
      if (v === null) return UNKNOWN;
      if (f.kind === 'compare') return compareHolds(f.op, compareDimValues(v, f.value)) ? TRUE : FALSE;
      if (f.kind === 'in') return f.values.some((w) => compareDimValues(v, w) === 0) !== f.negated ? TRUE : FALSE;
      return (f.op === 'contains' ? String(v).includes(f.value) : String(v).startsWith(f.value)) ? TRUE : FALSE;
    }
    default:
      return assertNever(f);
  }
}

function valueOf(dims: StreamEvent['dims'], field: string): DimensionValue {
  return dims[field] ?? null;
}
