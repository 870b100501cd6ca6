import { badInput, limitExceeded } from '../errors/index.ts';
import type { DatasetConfig, DimensionType, ServerConfig } from '../schema/index.ts';
import type { CompareOp, Filter, Scalar } from './LogicalPlan.ts';
import { parseTimeInput } from './time/zonedTime.ts';

/** Operators each field type accepts, as the generated GraphQL input types declare them. */
const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte'];

interface FieldInfo {
  readonly type: DimensionType;
}

interface Context {
  readonly label: 'where' | 'having';
  readonly fields: (name: string) => FieldInfo | undefined;
  readonly timezone: string;
  readonly limits: Pick<ServerConfig, 'maxInList' | 'maxFilterDepth'>;
}

/**
 * Turns a coerced `where` input object (`{ region: { in: [...] }, OR: [...] }`) into a
 * Filter over dimensions. All keys of one object are ANDed. Time values become UTC ISO
 * instants. Errors name the input path (`where.OR[1].orderDate.gte`).
 */
export function whereToFilter(input: unknown, dataset: DatasetConfig, limits: Context['limits']): Filter | null {
  if (input == null) return null;
  return toFilter(input, 'where', 1, {
    label: 'where',
    fields: (name) => dataset.dimensions[name],
    timezone: dataset.timezone,
    limits,
  });
}

/** Turns a coerced `having` input (one field per measure, number operators) into a Filter. */
export function havingToFilter(input: unknown, dataset: DatasetConfig, limits: Context['limits']): Filter | null {
  if (input == null) return null;
  return toFilter(input, 'having', 1, {
    label: 'having',
    fields: (name) => (dataset.measures[name] ? { type: 'number' } : undefined),
    timezone: dataset.timezone,
    limits,
  });
}

function toFilter(input: unknown, path: string, depth: number, ctx: Context): Filter {
  if (depth > ctx.limits.maxFilterDepth) {
    throw limitExceeded(`${ctx.label} is nested deeper than ${ctx.limits.maxFilterDepth} levels of AND/OR/NOT (at ${path})`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw badInput(`${path}: expected an input object, got ${JSON.stringify(input)}`);
  }
  const parts: Filter[] = [];
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const at = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      if (!Array.isArray(value)) throw badInput(`${at}: expected a list of ${ctx.label} objects`);
      const args = value.map((item, i) => toFilter(item, `${at}[${i}]`, depth + 1, ctx));
      parts.push({ kind: key === 'AND' ? 'and' : 'or', args });
    } else if (key === 'NOT') {
      if (value === null) throw badInput(`${at}: expected a ${ctx.label} object, got null`);
      parts.push({ kind: 'not', arg: toFilter(value, at, depth + 1, ctx) });
    } else {
      const field = ctx.fields(key);
      if (!field) throw badInput(`${at}: unknown field "${key}"`);
      if (value === null) throw badInput(`${at}: expected an operator object such as { eq: ... }, got null`);
      parts.push(...fieldFilters(key, field.type, value as Record<string, unknown>, at, ctx));
    }
  }
  return { kind: 'and', args: parts };
}

function fieldFilters(field: string, type: DimensionType, ops: Record<string, unknown>, path: string, ctx: Context): Filter[] {
  const out: Filter[] = [];
  for (const [op, raw] of Object.entries(ops)) {
    if (raw === undefined) continue;
    const at = `${path}.${op}`;
    if (raw === null) {
      throw badInput(`${at}: null is not a value to compare with; use isNull: true to match missing values`);
    }
    if (op === 'isNull') {
      out.push({ kind: 'isNull', field, isNull: Boolean(raw) });
    } else if (op === 'in' || op === 'notIn') {
      const list = raw as unknown[];
      if (list.length > ctx.limits.maxInList) {
        throw limitExceeded(`${at}: ${list.length} values exceed the limit of ${ctx.limits.maxInList}`);
      }
      out.push({ kind: 'in', field, negated: op === 'notIn', values: list.map((v, i) => scalar(v, type, `${at}[${i}]`, ctx)) });
    } else if (op === 'contains' || op === 'startsWith') {
      out.push({ kind: 'match', field, op, value: text(raw, at) });
    } else if ((COMPARE_OPS as readonly string[]).includes(op)) {
      out.push({ kind: 'compare', field, op: op as CompareOp, value: scalar(raw, type, at, ctx) });
    } else if (op === 'inRange' && type === 'time') {
      // Dataset and fusion requests have it rewritten to gte/lt before planning (resolveRelativeRanges.ts);
      // what reaches here is a stream's where (windows run on event time, not the gateway's clock).
      throw badInput(`${at}: relative ranges are resolved only in the where of dataset and fusion queries (a stream's windows run on event time, and row policies are fixed): filter with gte/lt`);
    } else {
      throw badInput(`${at}: unknown operator "${op}"`);
    }
  }
  return out;
}

function scalar(value: unknown, type: DimensionType, path: string, ctx: Context): Scalar {
  switch (type) {
    case 'time': {
      const instant = typeof value === 'string' ? parseTimeInput(value, ctx.timezone) : null;
      if (instant === null && typeof value === 'string' && parseTimeInput(value, ctx.timezone, { anyYear: true }) !== null) {
        throw badInput(`${path}: ${JSON.stringify(value)} is outside the supported years 0001 to 9999 (UTC)`);
      }
      if (instant === null || !Number.isFinite(instant)) {
        throw badInput(`${path}: expected an ISO-8601 date or date-time such as "2024-05-01" or "2024-05-01T12:00:00Z", got ${JSON.stringify(value)}`);
      }
      return new Date(instant).toISOString();
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw badInput(`${path}: expected a finite number, got ${typeof value === 'number' ? String(value) : JSON.stringify(value)}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw badInput(`${path}: expected true or false, got ${JSON.stringify(value)}`);
      return value;
    case 'string':
      return text(value, path);
  }
}

/** Strings reach SQL as parameters, but Postgres text cannot hold NUL: reject it here. */
function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw badInput(`${path}: expected a string, got ${JSON.stringify(value)}`);
  if (value.includes('\u0000')) throw badInput(`${path}: strings may not contain the NUL character (\\u0000)`);
  return value;
}
