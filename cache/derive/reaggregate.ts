import { assertNever, type LeafFunction } from '../../planner/index.ts';
import { neumaierCompensation, readCompensatedSum } from '../../values/index.ts';
import type { NumberColumn } from './columns.ts';
import type { Groups } from './groupRows.ts';

/**
 * Rolls a cached leaf up to coarser groups, as the source would have aggregated the
 * underlying rows: sums and counts add up, mins and maxes combine; nulls are ignored.
 * A sum over only nulls (or no rows) is null; a count is never null: 0 stays 0.
 *
 * Sums: the source sums exact decimals and rounds once; adding already-rounded partial
 * sums drifts by an ulp or two, enough to flip ties in order and having. So partial sums
 * are added with Neumaier's compensated summation and read back to 15 significant digits
 * (values/compensatedSum.ts), which gives back the source's double whenever the exact total
 * has at most 15 digits (every money column); for float data it changes values by at most
 * 1e-15 relative. Whole-number totals stay exact (up to 2^53), as the source's are.
 */
export function reaggregate(fn: LeafFunction, leaf: NumberColumn, rows: Int32Array, groups: Groups): NumberColumn {
  const acc = new Float64Array(groups.count);
  const seen = new Uint8Array(groups.count);
  const { values, valid } = leaf;
  const { groupOf } = groups;
  switch (fn) {
    case 'count':
      for (let j = 0; j < rows.length; j++) {
        const r = rows[j]!;
        if (valid && valid[r] === 0) continue;
        const g = groupOf[j]!;
        acc[g] = acc[g]! + values[r]!;
      }
      return { values: acc, valid: null };
    case 'sum': {
      const compensation = new Float64Array(groups.count);
      for (let j = 0; j < rows.length; j++) {
        const r = rows[j]!;
        if (valid && valid[r] === 0) continue;
        const g = groupOf[j]!;
        const v = values[r]!;
        const sum = acc[g]!;
        const next = sum + v;
        compensation[g] = compensation[g]! + neumaierCompensation(sum, next, v);
        acc[g] = next;
        seen[g] = 1;
      }
      for (let g = 0; g < acc.length; g++) {
        if (seen[g]) acc[g] = readCompensatedSum(acc[g]!, compensation[g]!);
      }
      return { values: acc, valid: seen };
    }
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
