import { assertNever, type Filter } from './LogicalPlan.ts';

/**
 * The same filter over other field names: a fusion's filter names its keys, and each member
 * applies it under its own dimension names (dataset fusions and stream fusions alike).
 */
export function renameFilterFields(f: Filter, rename: (field: string) => string): Filter {
  switch (f.kind) {
    case 'const':
      return f;
    case 'and':
    case 'or':
      return { kind: f.kind, args: f.args.map((a) => renameFilterFields(a, rename)) };
    case 'not':
      return { kind: 'not', arg: renameFilterFields(f.arg, rename) };
    case 'compare':
    case 'in':
    case 'match':
    case 'isNull':
      return { ...f, field: rename(f.field) };
    default:
      return assertNever(f);
  }
}
