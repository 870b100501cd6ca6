import { assertNever, type Filter, type Scalar } from '../../planner/index.ts';
import { compareHolds, compareNonNull, FALSE, not3, TRUE, truthOf, UNKNOWN, type Truth } from '../../values/index.ts';
import type { CodedColumn } from './columns.ts';

type Atom = Extract<Filter, { field: string }>;

/**
 * Evaluates a filter over `n` rows in SQL's three-valued logic, as the WHERE clause
 * compileSql emits would: a comparison with null is unknown, NOT unknown is unknown,
 * AND/OR as in SQL; the caller keeps rows that are TRUE. Atoms are decided once per
 * distinct value of their column, then spread over the rows by code.
 * Values must already be in the column's terms (time: wall-clock ms, see timeValuesToWall).
 */
export function evaluateFilter(f: Filter, columnOf: (field: string) => CodedColumn, n: number): Uint8Array {
  switch (f.kind) {
    case 'const':
      return new Uint8Array(n).fill(truthOf(f.value));
    case 'and':
    case 'or': {
      // and3/or3 (values/truth.ts) unrolled over the rows: this loop is hot.
      const absorbing = f.kind === 'and' ? FALSE : TRUE;
      const out = new Uint8Array(n).fill(f.kind === 'and' ? TRUE : FALSE);
      for (const arg of f.args) {
        const truth = evaluateFilter(arg, columnOf, n);
        for (let i = 0; i < n; i++) {
          const t = truth[i]!;
          if (t === absorbing) out[i] = absorbing;
          else if (t === UNKNOWN && out[i] !== absorbing) out[i] = UNKNOWN;
        }
      }
      return out;
    }
    case 'not': {
      const out = evaluateFilter(f.arg, columnOf, n);
      for (let i = 0; i < n; i++) out[i] = not3(out[i] as Truth);
      return out;
    }
    case 'compare':
    case 'in':
    case 'match':
    case 'isNull': {
      const column = columnOf(f.field);
      const byCode = Uint8Array.from(column.values, (v) => atomTruth(f, v));
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = byCode[column.codes[i]!]!;
      return out;
    }
    default:
      return assertNever(f);
  }
}

function atomTruth(f: Atom, v: Scalar | null): Truth {
  if (f.kind === 'isNull') return truthOf((v === null) === f.isNull);
  if (v === null) return UNKNOWN;
  switch (f.kind) {
    case 'compare':
      return truthOf(compareHolds(f.op, compareNonNull(v, f.value)));
    case 'in':
      return truthOf(f.values.some((w) => compareNonNull(v, w) === 0) !== f.negated);
    case 'match': // strpos(v, x) > 0 and starts_with(v, x)
      return truthOf(f.op === 'contains' ? String(v).includes(f.value) : String(v).startsWith(f.value));
    default:
      return assertNever(f);
  }
}
