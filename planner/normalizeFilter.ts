import { compareNonNull } from '../values/index.ts';
import { canonicalJson } from './canonicalJson.ts';
import { assertNever, type Filter, type Scalar } from './LogicalPlan.ts';

const TRUE: Filter = Object.freeze({ kind: 'const', value: true });
const FALSE: Filter = Object.freeze({ kind: 'const', value: false });

/**
 * Rewrites a filter into its canonical form, so that filters meaning the same thing by
 * construction compare equal as JSON:
 * - nested AND inside AND (and OR inside OR) are flattened; duplicate arguments removed;
 * - arguments are sorted by their canonical JSON;
 * - constants are folded (AND with false is false, empty AND is true, NOT NOT x is x);
 * - IN lists are sorted and deduplicated; a one-value IN becomes eq (NOT IN: ne).
 * Returns null for a filter that is always true.
 */
export function normalizeFilter(filter: Filter | null): Filter | null {
  if (filter === null) return null;
  const normal = normalize(filter);
  return normal.kind === 'const' && normal.value ? null : normal;
}

function normalize(f: Filter): Filter {
  switch (f.kind) {
    case 'const':
    case 'compare':
    case 'match':
    case 'isNull':
      return Object.freeze({ ...f });
    case 'in':
      return normalizeIn(f.field, f.values, f.negated);
    case 'not': {
      const arg = normalize(f.arg);
      if (arg.kind === 'const') return arg.value ? FALSE : TRUE;
      if (arg.kind === 'not') return arg.arg;
      return Object.freeze({ kind: 'not', arg });
    }
    case 'and':
    case 'or':
      return normalizeJunction(f.kind, f.args);
    default:
      return assertNever(f);
  }
}

function normalizeJunction(kind: 'and' | 'or', args: readonly Filter[]): Filter {
  const absorbing = kind === 'or'; // OR with true is true; AND with false is false
  const flat = new Map<string, Filter>();
  for (const arg of args.map(normalize)) {
    const parts = arg.kind === kind ? arg.args : [arg];
    for (const part of parts) {
      if (part.kind === 'const') {
        if (part.value === absorbing) return part;
        continue; // the neutral element
      }
      flat.set(canonicalJson(part), part);
    }
  }
  const sorted = [...flat.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, f]) => f);
  if (sorted.length === 0) return absorbing ? FALSE : TRUE;
  if (sorted.length === 1) return sorted[0]!;
  return Object.freeze({ kind, args: Object.freeze(sorted) });
}

function normalizeIn(field: string, values: readonly Scalar[], negated: boolean): Filter {
  const unique = [...new Set(values)].sort(compareNonNull);
  if (unique.length === 0) return negated ? TRUE : FALSE;
  if (unique.length === 1) return Object.freeze({ kind: 'compare', field, op: negated ? 'ne' : 'eq', value: unique[0]! });
  return Object.freeze({ kind: 'in', field, values: Object.freeze(unique), negated });
}
