import { instantToWall, parseTimeInput, wallToInstant } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';

/** A time dimension's range in a where, as wall times [from, to); null: unbounded on that side. */
export interface TimeRange {
  readonly field: string;
  readonly from: number | null;
  readonly to: number | null;
}

const BOUNDS = ['gte', 'gt', 'lt', 'lte'] as const;

/**
 * Takes the bounds on one time dimension out of a (coerced, relative ranges resolved)
 * where: those in its top-level object and in the top-level objects of its AND list, where
 * they constrain every row. Returns the rest of the where and the range they make (the
 * tightest of several bounds). `field` picks the dimension; without it, the first time
 * dimension that has a bound.
 */
export function splitTimeRange(where: unknown, dataset: DatasetConfig, field?: string): { rest: unknown; range: TimeRange | null } {
  if (!isObject(where)) return { rest: where ?? null, range: null };
  const objects = [where, ...(Array.isArray(where.AND) ? where.AND.filter(isObject) : [])];
  const name =
    field ??
    objects.flatMap((o) => Object.keys(o)).find((k) => dataset.dimensions[k]?.type === 'time' && objects.some((o) => isObject(o[k]) && BOUNDS.some((b) => (o[k] as Record<string, unknown>)[b] != null)));
  if (!name) return { rest: where, range: null };
  let from: number | null = null;
  let to: number | null = null;
  const zone = dataset.timezone;
  const strip = (o: Record<string, unknown>): Record<string, unknown> => {
    const ops = o[name];
    if (!isObject(ops)) return o;
    const kept: Record<string, unknown> = {};
    for (const [op, value] of Object.entries(ops)) {
      const instant = (BOUNDS as readonly string[]).includes(op) && typeof value === 'string' ? parseTimeInput(value, zone) : null;
      if (instant === null) {
        kept[op] = value;
        continue;
      }
      const wall = instantToWall(instant, zone);
      if (op === 'gte' || op === 'gt') from = Math.max(from ?? -Infinity, op === 'gt' ? wall + 1 : wall);
      else to = Math.min(to ?? Infinity, op === 'lte' ? wall + 1 : wall);
    }
    const copy = { ...o };
    if (Object.keys(kept).length > 0) copy[name] = kept;
    else delete copy[name];
    return copy;
  };
  const rest = strip(where);
  if (Array.isArray(where.AND)) rest.AND = where.AND.map((item) => (isObject(item) ? strip(item) : item));
  return { rest, range: from === null && to === null ? null : { field: name, from, to } };
}

/** A where that keeps `rest` and the rows of `field` in any of `ranges` (wall times). */
export function whereWithRanges(rest: unknown, field: string, ranges: readonly { from: number | null; to: number | null }[], zone: string): unknown {
  const iso = (wall: number) => new Date(wallToInstant(wall, zone)).toISOString();
  const one = (r: { from: number | null; to: number | null }) => ({ [field]: { ...(r.from !== null ? { gte: iso(r.from) } : {}), ...(r.to !== null ? { lt: iso(r.to) } : {}) } });
  const unbounded = ranges.some((r) => r.from === null && r.to === null);
  const rangeWhere = unbounded || ranges.length === 0 ? null : ranges.length === 1 ? one(ranges[0]!) : { OR: ranges.map(one) };
  const parts = [rest, rangeWhere].filter((p) => isObject(p) && Object.keys(p).length > 0);
  return parts.length === 0 ? null : parts.length === 1 ? parts[0] : { AND: parts };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
