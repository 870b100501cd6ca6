/** Plans for the derivation tests, built the way buildPlan builds them, from short specs. */
import { coreOf, dimensionKey, leafKey, normalizeFilter, parseTimeInput, type AggregatePlan, type CorePlan, type Filter, type LeafFunction, type OrderKey, type Scalar } from '../../planner/index.ts';
import { parseConfig, type DatasetConfig, type Granularity } from '../../schema/index.ts';

export const DERIVE_TEST_DATASET: DatasetConfig = parseConfig(`
sources:
  warehouse: { kind: postgres, url: "postgres://nobody@127.0.0.1:1/none" }
datasets:
  sales:
    source: warehouse
    table: public.sales
    timezone: America/New_York
    dimensions:
      region: { type: string }
      channel: { type: string }
      quantity: { type: number }
      returned: { type: boolean }
      orderDate: { type: time, column: order_ts, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      customers: { countDistinct: customer_id }
      avgPrice: { avg: unit_price }
      maxAmount: { max: amount }
      minAmount: { min: amount }
`).datasets.sales!;

export interface PlanSpec {
  /** Dimension keys: `region`, `orderDate.month`. */
  readonly dims?: readonly string[];
  /** Measure names; avg becomes its sum and count leaves. */
  readonly measures?: readonly string[];
  readonly filter?: Filter | null;
  readonly having?: Filter | null;
  /** Requested order; the remaining dimensions follow ascending, as in buildPlan. */
  readonly order?: readonly OrderKey[];
  readonly limit?: number | null;
  readonly offset?: number;
  readonly security?: readonly Filter[];
}

const LEAVES: Record<string, readonly LeafFunction[]> = { sum: ['sum'], count: ['count'], countDistinct: ['countDistinct'], min: ['min'], max: ['max'], avg: ['sum', 'count'] };

export function plan(spec: PlanSpec, dataset: DatasetConfig = DERIVE_TEST_DATASET): AggregatePlan {
  const dimensions = (spec.dims ?? []).map((key) => {
    const [name, granularity = null] = key.split('.') as [string, Granularity?];
    return { name, type: dataset.dimensions[name]!.type, granularity, key: dimensionKey(name, granularity) };
  });
  dimensions.sort((a, b) => (a.key < b.key ? -1 : 1));
  const measures = (spec.measures ?? []).flatMap((name) =>
    LEAVES[dataset.measures[name]!.aggregation]!.map((fn) => ({ measure: name, fn, key: leafKey(name, fn) })),
  );
  measures.sort((a, b) => (a.key < b.key ? -1 : 1));
  const order = [...(spec.order ?? [])];
  for (const d of dimensions) if (!order.some((o) => o.field === d.key)) order.push({ target: 'dimension', field: d.key, direction: 'asc' });
  return {
    kind: 'aggregate',
    dataset: dataset.name,
    dimensions,
    measures,
    filter: normalizeFilter(spec.filter ?? null),
    having: normalizeFilter(spec.having ?? null),
    order,
    limit: spec.limit ?? null,
    offset: spec.offset ?? 0,
    security: spec.security ?? [],
  };
}

export function core(spec: PlanSpec, pushdown = false): CorePlan {
  return coreOf(plan(spec), pushdown);
}

/** Filter shorthands. */
export const f = {
  eq: (field: string, value: Scalar): Filter => ({ kind: 'compare', field, op: 'eq', value }),
  cmp: (field: string, op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte', value: Scalar): Filter => ({ kind: 'compare', field, op, value }),
  in: (field: string, values: readonly Scalar[]): Filter => ({ kind: 'in', field, values, negated: false }),
  notIn: (field: string, values: readonly Scalar[]): Filter => ({ kind: 'in', field, values, negated: true }),
  match: (field: string, op: 'contains' | 'startsWith', value: string): Filter => ({ kind: 'match', field, op, value }),
  isNull: (field: string, isNull = true): Filter => ({ kind: 'isNull', field, isNull }),
  and: (...args: Filter[]): Filter => ({ kind: 'and', args }),
  or: (...args: Filter[]): Filter => ({ kind: 'or', args }),
  not: (arg: Filter): Filter => ({ kind: 'not', arg }),
};

export const desc = (field: string, target: 'dimension' | 'measure' = 'measure'): OrderKey => ({ target, field, direction: 'desc' });
export const asc = (field: string, target: 'dimension' | 'measure' = 'measure'): OrderKey => ({ target, field, direction: 'asc' });

/** A time filter value: `2024-06-01` read in the dataset's zone, as an ISO instant in UTC. */
export function at(text: string, dataset: DatasetConfig = DERIVE_TEST_DATASET): string {
  return new Date(parseTimeInput(text, dataset.timezone)!).toISOString();
}
