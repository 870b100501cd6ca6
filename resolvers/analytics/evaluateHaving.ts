import { assertNever, type Filter } from '../../planner/index.ts';
import { compareHolds, every3, not3, some3, TRUE, truthOf, UNKNOWN, type Truth } from '../../values/index.ts';

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
    case 'and':
      return every3(f.args, evaluate, row);
    case 'or':
      return some3(f.args, evaluate, row);
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
