import { assertNever, type Filter } from '../../planner/index.ts';
import { and3, compareHolds, FALSE, not3, or3, TRUE, truthOf, UNKNOWN, type Truth } from '../../values/index.ts';

/**
 * A `having` filter over one result row's measure values, with SQL's three-valued logic: a
 * comparison with null is unknown, NOT unknown is unknown, and a row is kept only when the
 * whole filter is true. Numbers only (having compares measures).
 */
export function havingHolds(filter: Filter, row: Readonly<Record<string, unknown>>): boolean {
  return evaluate(filter, row) === TRUE;
}

function evaluate(f: Filter, row: Readonly<Record<string, unknown>>): Truth {
  switch (f.kind) {
    case 'const':
      return truthOf(f.value);
    case 'and': {
      let out: Truth = TRUE;
      for (const a of f.args) {
        out = and3(out, evaluate(a, row));
        if (out === FALSE) return FALSE; // nothing can make it true again
      }
      return out;
    }
    case 'or': {
      let out: Truth = FALSE;
      for (const a of f.args) {
        out = or3(out, evaluate(a, row));
        if (out === TRUE) return TRUE;
      }
      return out;
    }
    case 'not':
      return not3(evaluate(f.arg, row));
    case 'isNull':
      return truthOf((row[f.field] == null) === f.isNull);
    case 'compare': {
      const v = row[f.field];
      if (typeof v !== 'number' || typeof f.value !== 'number') return UNKNOWN;
      return truthOf(compareHolds(f.op, v - f.value));
    }
    case 'in': {
      const v = row[f.field];
      if (typeof v !== 'number') return UNKNOWN;
      return truthOf(f.values.some((x) => x === v) !== f.negated);
    }
    case 'match':
      return UNKNOWN;
    default:
      return assertNever(f);
  }
}
