import type { Scalar } from '../../planner/index.ts';
import { truncateWall } from '../../planner/index.ts';
import type { Granularity } from '../../schema/index.ts';
import type { CodedColumn } from './columns.ts';

/**
 * Rolls a coded time column (wall-clock bucket starts) up to a coarser granularity:
 * each distinct bucket is truncated once, equal results merged, and rows re-coded.
 */
export function truncateCoded(column: CodedColumn, granularity: Granularity): CodedColumn {
  const index = new Map<Scalar | null, number>();
  const values: (Scalar | null)[] = [];
  const remap = Int32Array.from(column.values, (v) => {
    const truncated = v === null ? null : truncateWall(v as number, granularity);
    let code = index.get(truncated);
    if (code === undefined) index.set(truncated, (code = values.push(truncated) - 1));
    return code;
  });
  const codes = new Int32Array(column.codes.length);
  for (let i = 0; i < codes.length; i++) codes[i] = remap[column.codes[i]!]!;
  return { codes, values };
}
