import { customBucket, truncateWall, type RequestedDimension } from '../../planner/index.ts';
import type { CustomGranularity, DatasetConfig, Granularity } from '../../schema/index.ts';

/**
 * Calendar arithmetic of the analytics features, on wall times (a dataset zone's clock as
 * epoch-like milliseconds: no DST here; bounds become instants only in SQL filters).
 */

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A length of calendar time: whole days or whole months (weeks are 7 days, quarters 3 months, years 12). */
export interface Span {
  readonly unit: 'ms' | 'day' | 'month';
  readonly count: number;
}

/** `wall` moved by `n` spans (n may be negative); months keep the day of month, clamped to the month's last day. */
export function addSpan(wall: number, span: Span, n = 1): number {
  if (span.unit === 'ms') return wall + span.count * n;
  if (span.unit === 'day') return wall + span.count * n * DAY;
  const date = new Date(wall);
  const day = date.getUTCDate();
  const first = new Date(0);
  first.setUTCFullYear(date.getUTCFullYear(), date.getUTCMonth() + span.count * n, 1);
  const last = new Date(first.getTime());
  last.setUTCMonth(last.getUTCMonth() + 1, 0);
  first.setUTCDate(Math.min(day, last.getUTCDate()));
  return first.getTime() + (wall - Math.floor(wall / DAY) * DAY);
}

/** How a selected time dimension buckets: a built-in granularity or one of the dataset's own. */
export type Bucketing = { readonly kind: 'builtin'; readonly granularity: Granularity; readonly name: string } | { readonly kind: 'custom'; readonly spec: CustomGranularity; readonly name: string };

export function bucketingOf(dim: RequestedDimension, dataset: DatasetConfig): Bucketing {
  if (dim.custom) return { kind: 'custom', spec: dataset.granularities[dim.custom]!, name: dim.custom };
  const granularity = dim.granularity ?? dataset.dimensions[dim.name]!.granularity;
  return { kind: 'builtin', granularity, name: granularity };
}

/** The bucket [start, end) holding a wall time. */
export function bucketOf(wall: number, b: Bucketing): { start: number; end: number } {
  if (b.kind === 'custom') return customBucket(wall, b.spec);
  const start = truncateWall(wall, b.granularity);
  return { start, end: addSpan(start, spanOfGranularity(b.granularity)) };
}

export function spanOfGranularity(g: Granularity): Span {
  switch (g) {
    case 'second':
      return { unit: 'ms', count: 1_000 };
    case 'minute':
      return { unit: 'ms', count: 60_000 };
    case 'hour':
      return { unit: 'ms', count: HOUR };
    case 'day':
      return { unit: 'day', count: 1 };
    case 'week':
      return { unit: 'day', count: 7 };
    case 'month':
      return { unit: 'month', count: 1 };
    case 'quarter':
      return { unit: 'month', count: 3 };
    default:
      return { unit: 'month', count: 12 };
  }
}

/** Core granularities, finest first: each divides the ones after it (weeks, quarters and years are read from days and months). */
const CORE: readonly Granularity[] = ['second', 'minute', 'hour', 'day', 'month'];

/** The coarsest core granularity whose buckets a wall time starts (a bound must fall on a core bucket's edge). */
export function alignmentOf(wall: number): Granularity {
  if (truncateWall(wall, 'month') === wall) return 'month';
  if (truncateWall(wall, 'day') === wall) return 'day';
  if (truncateWall(wall, 'hour') === wall) return 'hour';
  if (truncateWall(wall, 'minute') === wall) return 'minute';
  return 'second';
}

/** The core granularity a bucketing or span is read from. */
export function coreOfBucketing(b: Bucketing): Granularity {
  if (b.kind === 'custom') return b.spec.unit;
  return coreOfSpan(spanOfGranularity(b.granularity), b.granularity);
}

export function coreOfSpan(span: Span, hint?: Granularity): Granularity {
  if (span.unit === 'month') return 'month';
  if (span.unit === 'day') return 'day';
  if (hint && CORE.includes(hint)) return hint;
  return span.count % HOUR === 0 ? 'hour' : span.count % 60_000 === 0 ? 'minute' : 'second';
}

/** The finest of some core granularities. */
export function finest(gs: readonly Granularity[]): Granularity {
  let best: Granularity = 'month';
  for (const g of gs) if (CORE.indexOf(g) < CORE.indexOf(best)) best = g;
  return best;
}
