import type { Filter } from './LogicalPlan.ts';

/** The fields a filter names (with repeats): the measures a having needs, for one. */
export function filterFields(filter: Filter | null): string[] {
  if (!filter) return [];
  switch (filter.kind) {
    case 'const':
      return [];
    case 'and':
    case 'or':
      return filter.args.flatMap(filterFields);
    case 'not':
      return filterFields(filter.arg);
    default:
      return [filter.field];
  }
}
