import { assertNever, compareHolds, type Filter } from '../../planner/index.ts';

/**
 * A `having` filter over one result row's measure values, with SQL's three-valued logic: a
 * comparison with null is unknown, NOT unknown is unknown, and a row is kept only when the
 * whole filter is true. Numbers only (having compares measures).
 */
export function havingHolds(filter: Filter, row: Readonly<Record<string, unknown>>): boolean {
  return evaluate(filter, row) === true;
}

function evaluate(f: Filter, row: Readonly<Record<string, unknown>>): boolean | null {
  switch (f.kind) {
    case 'const':
      return f.value;
    case 'and': {
      let unknown = false;
      for (const a of f.args) {
        const v = evaluate(a, row);
        if (v === false) return false;
        if (v === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case 'or': {
      let unknown = false;
      for (const a of f.args) {
        const v = evaluate(a, row);
        if (v === true) return true;
        if (v === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case 'not': {
      const v = evaluate(f.arg, row);
      return v === null ? null : !v;
    }
    case 'isNull':
      return (row[f.field] == null) === f.isNull;
    case 'compare': {
      const v = row[f.field];
      if (typeof v !== 'number' || typeof f.value !== 'number') return null;
      return compareHolds(f.op, v - f.value);
    }
    case 'in': {
      const v = row[f.field];
      if (typeof v !== 'number') return null;
      const found = f.values.some((x) => x === v);
      return f.negated ? !found : found;
    }
    case 'match':
      return null;
    default:
      return assertNever(f);
  }
}
