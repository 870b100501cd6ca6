import { assertNever, type LeafFunction } from '../../planner/index.ts';
import type { NumberColumn } from './columns.ts';
import type { Groups } from './groupRows.ts';

/**
 * Rolls a cached leaf up to coarser groups, as the source would have aggregated the
 * underlying rows: sums and counts add up, mins and maxes combine; nulls are ignored.
 * A sum over only nulls (or no rows) is null; a count is never null: 0 stays 0.
 */
export function reaggregate(fn: LeafFunction, leaf: NumberColumn, rows: Int32Array, groups: Groups): NumberColumn {
  const acc = new Float64Array(groups.count);
  const seen = new Uint8Array(groups.count);
  const { values, valid } = leaf;
  const { groupOf } = groups;
  switch (fn) {
    case 'sum':
    case 'count':
      for (let j = 0; j < rows.length; j++) {
        const r = rows[j]!;
        if (valid && valid[r] === 0) continue;
        const g = groupOf[j]!;
        acc[g] = acc[g]! + values[r]!;
        seen[g] = 1;
      }
      return { values: acc, valid: fn === 'count' ? null : seen };
    case 'min':
    case 'max': {
      const max = fn === 'max';
      for (let j = 0; j < rows.length; j++) {
        const r = rows[j]!;
        if (valid && valid[r] === 0) continue;
        const g = groupOf[j]!;
        const v = values[r]!;
        if (seen[g] === 0 || (max ? v > acc[g]! : v < acc[g]!)) acc[g] = v;
        seen[g] = 1;
      }
      return { values: acc, valid: seen };
    }
    case 'countDistinct':
      throw new Error('countDistinct cannot be rolled up (canDerive rejects such plans)');
    default:
      return assertNever(fn);
  }
}
