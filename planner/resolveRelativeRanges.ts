import { badInput } from '../errors/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { DatasetRequest } from './DatasetRequest.ts';
import { relativeRange, RELATIVE_RANGE_FORMS } from './time/relativeRange.ts';
import { formatInstant, MAX_TIME_MS, MIN_TIME_MS, wallToInstant } from './time/zonedTime.ts';

/** One relative range of a request as resolved (`meta.ranges`): [from, to), ISO-8601 with the dataset's offset. */
export interface ResolvedRange {
  readonly field: string;
  /** As the request wrote it (`"last 7 days"`). */
  readonly expression: string;
  readonly from: string;
  readonly to: string;
}

/**
 * Rewrites every `inRange: "<expression>"` on a time dimension of a coerced `where` input
 * into `gte`/`lt` with absolute instants (UTC ISO text), at `nowMs` in the dataset's zone;
 * every other operator and every other field stays as written. Done to the request before
 * it is planned, so plans, plan memos and cache keys only ever hold absolute bounds: a
 * "today" planned yesterday is a different plan today.
 *
 * AND/OR/NOT nest as in inputToFilter.ts. Where the field already has `gte` or `lt`, the
 * range is added as its own conjunct (in the object's AND list), so both hold. A `where`
 * without `inRange` comes back as the same object. Errors name the input path
 * (`where.OR[0].orderDate.inRange`); malformed shapes are left for whereToFilter to report.
 */
export function resolveRelativeRanges(where: unknown, dataset: DatasetConfig, nowMs: number): { where: unknown; ranges: ResolvedRange[] } {
  const ranges: ResolvedRange[] = [];
  const resolved = walk(where, 'where', { dataset, nowMs, ranges });
  return { where: resolved, ranges };
}

/**
 * A request with the relative ranges of its where resolved (see resolveRelativeRanges), over
 * `dataset` (a fusion passes its view). Without any, the same request object comes back,
 * so memos keyed by the (frozen) request object keep working.
 */
export function withResolvedRanges(request: DatasetRequest, dataset: DatasetConfig, nowMs: number): { request: DatasetRequest; ranges: ResolvedRange[] } {
  const { where, ranges } = resolveRelativeRanges(request.where, dataset, nowMs);
  return { request: where === request.where ? request : { ...request, where }, ranges };
}

interface Walk {
  readonly dataset: DatasetConfig;
  readonly nowMs: number;
  readonly ranges: ResolvedRange[];
}

function walk(input: unknown, path: string, ctx: Walk): unknown {
  if (!isObject(input)) return input;
  let out: Record<string, unknown> | null = null;
  const extra: Record<string, unknown>[] = [];
  const set = (key: string, value: unknown) => {
    if (value === input[key]) return;
    out ??= { ...input };
    out[key] = value;
  };
  for (const [key, value] of Object.entries(input)) {
    const at = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      if (!Array.isArray(value)) continue;
      const items = value.map((item, i) => walk(item, `${at}[${i}]`, ctx));
      if (items.some((item, i) => item !== value[i])) set(key, items);
    } else if (key === 'NOT') {
      set(key, walk(value, at, ctx));
    } else if (ctx.dataset.dimensions[key]?.type === 'time' && isObject(value) && typeof value.inRange === 'string') {
      const { inRange, ...others } = value;
      const bounds = resolveOne(key, inRange as string, `${at}.inRange`, ctx);
      if (others.gte === undefined && others.lt === undefined) {
        set(key, { ...others, ...bounds });
      } else {
        set(key, others);
        extra.push({ [key]: bounds });
      }
    }
  }
  if (extra.length > 0) {
    const and = (out ?? input).AND;
    set('AND', [...(Array.isArray(and) ? and : []), ...extra]);
  }
  return out ?? input;
}

function resolveOne(field: string, expression: string, path: string, ctx: Walk): { gte: string; lt: string } {
  const { timezone } = ctx.dataset;
  const wall = relativeRange(expression, ctx.nowMs, timezone);
  if (!wall) {
    throw badInput(`${path}: ${JSON.stringify(expression)} is not a relative range; use one of: ${RELATIVE_RANGE_FORMS.map((f) => `"${f}"`).join(', ')}`);
  }
  const from = wallToInstant(wall.fromWall, timezone);
  const to = wallToInstant(wall.toWall, timezone);
  if (!Number.isFinite(from) || !Number.isFinite(to) || from < MIN_TIME_MS || to > MAX_TIME_MS) {
    throw badInput(`${path}: ${JSON.stringify(expression)} reaches outside the supported years 0001 to 9999 (UTC)`);
  }
  ctx.ranges.push({ field, expression, from: formatInstant(from, timezone), to: formatInstant(to, timezone) });
  return { gte: new Date(from).toISOString(), lt: new Date(to).toISOString() };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
