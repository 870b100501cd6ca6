import { badInput, limitExceeded } from '../errors/index.ts';
import type { DatasetConfig, ServerConfig } from '../schema/index.ts';
import type { DatasetRequest } from './DatasetRequest.ts';
import { checkExpression, parseExpression, referencedNames, type Expression } from './expression/index.ts';
import { havingToFilter, whereToFilter } from './inputToFilter.ts';
import {
  dimensionKey,
  leafKey,
  type AggregatePlan,
  type Filter,
  type LeafFunction,
  type LeafMeasure,
  type OrderKey,
  type PlanDimension,
} from './LogicalPlan.ts';
import { filterFields } from './filterFields.ts';
import { normalizeFilter } from './normalizeFilter.ts';

export interface QueryPlans {
  readonly rows: AggregatePlan | null;
  readonly totals: AggregatePlan | null;
  /** Parsed `calc` expressions by their source text. */
  readonly calcs: ReadonlyMap<string, Expression>;
}

/**
 * Plans one dataset query: the rows plan (grouped by the selected dimensions) and the
 * totals plan (no grouping, same filter, no limit). Validates everything the GraphQL
 * types cannot: limits, orderBy shape, calc expressions, filter depth and list sizes.
 * `security` are the caller's row-policy predicates (normalized), carried by both plans.
 */
export function buildPlan(dataset: DatasetConfig, request: DatasetRequest, server: ServerConfig, security: readonly Filter[] = []): QueryPlans {
  const calcs = parseCalcs(dataset, [...(request.rows?.calcs ?? []), ...(request.totals?.calcs ?? [])]);
  const filter = normalizeFilter(whereToFilter(request.where, dataset, server));
  let rows: AggregatePlan | null = null;
  if (request.rows) {
    const dimensions = planDimensions(dataset, request.rows.dimensions);
    const { order, orderMeasures } = planOrder(dataset, request.orderBy ?? [], dimensions);
    const having = normalizeFilter(havingToFilter(request.having, dataset, server));
    const measureNames = [...request.rows.measures, ...orderMeasures, ...filterFields(having), ...calcMeasures(request.rows.calcs, calcs)];
    rows = freezePlan({
      kind: 'aggregate',
      dataset: dataset.name,
      dimensions,
      measures: leavesOf(dataset, measureNames),
      filter,
      having,
      order,
      limit: planLimit(request.limit, server),
      offset: planOffset(request.offset),
      security,
    });
  }
  let totals: AggregatePlan | null = null;
  if (request.totals) {
    const measureNames = [...request.totals.measures, ...calcMeasures(request.totals.calcs, calcs)];
    totals = freezePlan({
      kind: 'aggregate',
      dataset: dataset.name,
      dimensions: [],
      measures: leavesOf(dataset, measureNames),
      filter,
      having: null,
      order: [],
      limit: null,
      offset: 0,
      security,
    });
  }
  return { rows, totals, calcs };
}

function planDimensions(dataset: DatasetConfig, requested: NonNullable<DatasetRequest['rows']>['dimensions']): PlanDimension[] {
  const byKey = new Map<string, PlanDimension>();
  for (const { name, granularity } of requested) {
    const dim = dataset.dimensions[name];
    if (!dim) throw badInput(`unknown dimension "${name}" in dataset ${dataset.name}`);
    const g = dim.type === 'time' ? (granularity ?? dim.granularity) : null;
    const key = dimensionKey(name, g);
    byKey.set(key, { name, type: dim.type, granularity: g, key });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

const DIRECTIONS: Record<string, 'asc' | 'desc'> = { ASC: 'asc', DESC: 'desc' };

/** Requested order first; then every dimension not yet ordered, ascending, so pages are stable. */
function planOrder(dataset: DatasetConfig, orderBy: NonNullable<DatasetRequest['orderBy']>, dims: readonly PlanDimension[]) {
  const order: OrderKey[] = [];
  const orderMeasures: string[] = [];
  const seen = new Set<string>();
  orderBy.forEach((entry, i) => {
    const keys = Object.keys(entry).filter((k) => entry[k] !== undefined && entry[k] !== null);
    if (keys.length !== 1) {
      throw badInput(`orderBy[${i}]: expected exactly one field per entry, such as { revenue: DESC }, got ${keys.length ? keys.join(', ') : 'none'}`);
    }
    const field = keys[0]!;
    const direction = DIRECTIONS[String(entry[field])];
    if (!direction) throw badInput(`orderBy[${i}].${field}: expected ASC or DESC, got ${JSON.stringify(entry[field])}`);
    if (dataset.measures[field]) {
      orderMeasures.push(field);
      if (!seen.has(field)) order.push({ target: 'measure', field, direction });
      seen.add(field);
      return;
    }
    const selected = dims.filter((d) => d.name === field);
    if (!dataset.dimensions[field]) throw badInput(`orderBy[${i}]: unknown field "${field}"`);
    if (selected.length === 0) {
      throw badInput(`orderBy[${i}]: dimension "${field}" is not selected in rows; select it to sort by it`);
    }
    for (const d of selected) {
      if (!seen.has(d.key)) order.push({ target: 'dimension', field: d.key, direction });
      seen.add(d.key);
    }
  });
  for (const d of dims) if (!seen.has(d.key)) order.push({ target: 'dimension', field: d.key, direction: 'asc' });
  return { order, orderMeasures };
}

const LEAVES: Record<string, readonly LeafFunction[]> = {
  sum: ['sum'],
  count: ['count'],
  countDistinct: ['countDistinct'],
  min: ['min'],
  max: ['max'],
  avg: ['sum', 'count'],
};

function leavesOf(dataset: DatasetConfig, measureNames: readonly string[]): LeafMeasure[] {
  const byKey = new Map<string, LeafMeasure>();
  for (const name of measureNames) {
    const measure = dataset.measures[name];
    if (!measure) throw badInput(`unknown measure "${name}" in dataset ${dataset.name}`);
    for (const fn of LEAVES[measure.aggregation]!) byKey.set(leafKey(name, fn), { measure: name, fn, key: leafKey(name, fn) });
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
}

function parseCalcs(dataset: DatasetConfig, texts: readonly string[]): Map<string, Expression> {
  const known = Object.keys(dataset.measures);
  const calcs = new Map<string, Expression>();
  for (const text of texts) {
    if (calcs.has(text)) continue;
    const expr = parseExpression(text, { label: 'calc' });
    checkExpression(expr, { label: 'calc', known, source: text });
    calcs.set(text, expr);
  }
  return calcs;
}

function calcMeasures(texts: readonly string[], calcs: ReadonlyMap<string, Expression>): string[] {
  return texts.flatMap((t) => referencedNames(calcs.get(t)!));
}

function planLimit(limit: number | null | undefined, server: ServerConfig): number {
  if (limit == null) return server.defaultLimit;
  if (limit < 0) throw badInput(`limit: expected 0 or more, got ${limit}`);
  if (limit > server.maxLimit) throw limitExceeded(`limit: ${limit} is over the maximum of ${server.maxLimit}`);
  return limit;
}

function planOffset(offset: number | null | undefined): number {
  if (offset == null) return 0;
  if (offset < 0) throw badInput(`offset: expected 0 or more, got ${offset}`);
  return offset;
}

function freezePlan(plan: AggregatePlan): AggregatePlan {
  return deepFreeze(plan);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
