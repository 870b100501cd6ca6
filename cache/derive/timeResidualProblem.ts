import { instantToWall, printFilter, zoneOffsetAt, type Filter } from '../../planner/index.ts';
import { truncateWall } from '../../planner/index.ts';
import type { Granularity } from '../../schema/index.ts';

const TWO_DAYS = 2 * 86_400_000;

/**
 * Why a predicate on a time dimension cannot be applied to cached buckets, or null when
 * it can. A core holds bucket starts (wall clock), not timestamps, so only a bound that
 * splits no bucket is exact: `>=` or `<` at a bucket start, and IS [NOT] NULL. Near a UTC
 * offset change wall time is not monotonic in instants, so bounds there are refused: with
 * the offset constant from two days before to two days after the bound, `ts >= bound`
 * holds exactly when the row's wall time is at or after the bound's wall time.
 */
export function timeResidualProblem(f: Filter & { field: string }, granularity: Granularity, zone: string): string | null {
  if (f.kind === 'isNull') return null;
  if (f.kind !== 'compare' || (f.op !== 'gte' && f.op !== 'lt')) {
    return `filter ${printFilter(f)} on time dimension "${f.field}" cannot be applied to cached ${granularity} buckets: only >= and < at a bucket start can`;
  }
  const instant = Date.parse(String(f.value));
  const wall = instantToWall(instant, zone);
  if (!Number.isFinite(wall) || truncateWall(wall, granularity) !== wall) {
    return `filter ${printFilter(f)} does not fall on the start of a ${granularity} bucket in ${zone}, so it would split a cached bucket`;
  }
  const offset = zoneOffsetAt(instant, zone);
  if (zoneOffsetAt(instant - TWO_DAYS, zone) !== offset || zoneOffsetAt(instant + TWO_DAYS, zone) !== offset) {
    return `filter ${printFilter(f)} is within two days of a UTC offset change in ${zone}, where wall-clock buckets are ambiguous`;
  }
  return null;
}
