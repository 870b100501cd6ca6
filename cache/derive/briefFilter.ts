import { printFilter, type Filter } from '../../planner/index.ts';

const SHOWN = 5;

/**
 * A filter printed for a rejection reason, with each `in` list cut to its first 5 values
 * and a count of the rest. Reasons are built for every cached core a query is checked
 * against; printing a 10,000-value list whole for each of them would cost more than the
 * derivation saves, and explain output would drown in it.
 */
export function briefFilter(filter: Filter): string {
  return printFilter(shorten(filter));
}

function shorten(filter: Filter): Filter {
  switch (filter.kind) {
    case 'in':
      return filter.values.length <= SHOWN ? filter : { ...filter, values: [...filter.values.slice(0, SHOWN), `… ${filter.values.length - SHOWN} more`] };
    case 'and':
    case 'or':
      return { ...filter, args: filter.args.map(shorten) };
    case 'not':
      return { ...filter, arg: shorten(filter.arg) };
    default:
      return filter;
  }
}
