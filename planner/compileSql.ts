import type { DatasetConfig, DimensionType } from '../schema/index.ts';
import { compileExpressionSql } from './expression/index.ts';
import { assertNever, type AggregatePlan, type Filter, type LeafMeasure, type OrderKey, type Scalar } from './LogicalPlan.ts';
import { postgresDialect, type SqlDialect } from './SqlDialect.ts';

/** One SQL statement and what its result columns hold. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** In select order. Time columns hold wall-clock epoch milliseconds. */
  readonly columns: readonly ResultColumn[];
}

export interface ResultColumn {
  readonly name: string;
  readonly type: DimensionType;
}

/** The one column of a plan that selects neither dimensions nor measures. */
const NO_COLUMNS_ROW = '_count';

const PARAM_TYPE = { string: 'text', number: 'float8', boolean: 'boolean', time: 'timestamptz' } as const;
const COMPARE_SQL = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * Compiles a plan to one statement. The aggregate core (group, filter, leaf aggregates) is
 * the inner query; having, order, limit and offset run on its output columns outside, so
 * the same core SQL can later be cached and post-processed elsewhere.
 * Every value is a bound parameter; identifiers come only from the config and are quoted.
 */
export function compileSql(plan: AggregatePlan, dataset: DatasetConfig, dialect: SqlDialect = postgresDialect): CompiledQuery {
  const params: unknown[] = [];
  const bind = (value: unknown, type?: keyof typeof PARAM_TYPE, array = false) => {
    params.push(value);
    return type ? dialect.typedPlaceholder(params.length, PARAM_TYPE[type], array) : dialect.placeholder(params.length);
  };
  const q = dialect.quoteIdent;
  const col = (name: string) => `t.${q(name)}`;
  let zoneParam: string | null = null;
  const zone = () => (zoneParam ??= bind(dataset.timezone, 'string'));

  const select: string[] = [];
  const groupBy: string[] = [];
  const columns: ResultColumn[] = [];
  for (const d of plan.dimensions) {
    const column = col(dataset.dimensions[d.name]!.column);
    if (d.type === 'time') {
      // Group by the bucket timestamp, convert only the groups to epoch ms: computing the
      // number per input row costs more and keeps Postgres from hash-aggregating.
      const bucket = dialect.timeBucket(column, d.granularity!, zone());
      select.push(`${dialect.wallEpochMs(bucket)} as ${q(d.key)}`);
      groupBy.push(bucket);
    } else {
      select.push(`${d.type === 'number' ? `(${column})::float8` : column} as ${q(d.key)}`);
      groupBy.push(String(select.length));
    }
    columns.push({ name: d.key, type: d.type });
  }
  for (const leaf of plan.measures) {
    select.push(`${leafSql(leaf, dataset, col, (v) => bind(v))} as ${q(leaf.key)}`);
    columns.push({ name: leaf.key, type: 'number' });
  }
  if (select.length === 0) {
    // Neither dimensions nor measures: still an aggregate without grouping, so exactly one
    // row, as `select count(*) from t` is. The column is declared so that the result table
    // carries that row (an Arrow table without columns has no rows).
    select.push(`count(*)::float8 as ${q(NO_COLUMNS_ROW)}`);
    columns.push({ name: NO_COLUMNS_ROW, type: 'number' });
  }

  const predicates = [plan.filter, ...plan.security].filter((f): f is Filter => f !== null);
  const dimSql = (field: string) => col(dataset.dimensions[field]!.column);
  const dimType = (field: string) => dataset.dimensions[field]!.type;
  const where = predicates.map((f) => filterSql(f, dimSql, dimType, bind));
  let sql = `select ${select.join(', ')}\nfrom ${dialect.relation(dataset)} as t`;
  if (where.length > 0) sql += `\nwhere ${where.join(' and ')}`;
  if (groupBy.length > 0) sql += `\ngroup by ${groupBy.join(', ')}`;

  const outer: string[] = [];
  if (plan.having) outer.push(`where ${filterSql(plan.having, (m) => measureValueSql(m, dataset, q), () => 'number', bind)}`);
  if (plan.order.length > 0) outer.push(`order by ${plan.order.map((o) => orderSql(o, dataset, q)).join(', ')}`);
  if (plan.limit !== null) outer.push(`limit ${bind(plan.limit)}`);
  if (plan.offset > 0) outer.push(`offset ${bind(plan.offset)}`);
  if (outer.length > 0) sql = `select * from (\n${indent(sql)}\n) as core\n${outer.join('\n')}`;
  return { sql, params, columns };
}


function leafSql(leaf: LeafMeasure, dataset: DatasetConfig, col: (c: string) => string, param: (v: number) => string): string {
  const measure = dataset.measures[leaf.measure]!;
  // A bare column is aggregated as is (exact numeric sums, distinct counts of text);
  // expressions are compiled with float8 arithmetic.
  const arg = !measure.expr ? '*' : measure.expr.kind === 'ref' ? col(measure.expr.name) : compileExpressionSql(measure.expr, { ref: col, param });
  switch (leaf.fn) {
    case 'sum':
      return `sum(${arg})::float8`;
    case 'count':
      return `count(${arg})::float8`;
    case 'countDistinct':
      return `count(distinct ${arg})::float8`;
    case 'min':
      return `min(${arg})::float8`;
    case 'max':
      return `max(${arg})::float8`;
    default:
      return assertNever(leaf.fn);
  }
}

/** The value of a measure over the core's leaf columns: avg is sum / count. */
function measureValueSql(measure: string, dataset: DatasetConfig, q: (s: string) => string): string {
  const config = dataset.measures[measure]!;
  const only = config.aggregation === 'avg' ? null : config.aggregation;
  if (only) return q(`${measure}.${only}`);
  return `(${q(`${measure}.sum`)} / nullif(${q(`${measure}.count`)}, 0))`;
}

function orderSql(o: OrderKey, dataset: DatasetConfig, q: (s: string) => string): string {
  if (o.target === 'measure') return `${measureValueSql(o.field, dataset, q)} ${o.direction} nulls last`;
  // Text sorts by code point (collation "C") whatever the server's locale, so rows sorted
  // here and rows the cache sorts in JavaScript come out in the same order.
  const name = o.field.split('.')[0]!;
  const collate = dataset.dimensions[name]?.type === 'string' ? ' collate "C"' : '';
  return `${q(o.field)}${collate} ${o.direction} nulls last`;
}

type Bind = (value: unknown, type?: keyof typeof PARAM_TYPE, array?: boolean) => string;

function filterSql(f: Filter, field: (name: string) => string, type: (name: string) => DimensionType, bind: Bind): string {
  const recurse = (g: Filter) => filterSql(g, field, type, bind);
  switch (f.kind) {
    case 'const':
      return f.value ? 'true' : 'false';
    case 'and':
      return `(${f.args.map(recurse).join(' and ')})`;
    case 'or':
      return `(${f.args.map(recurse).join(' or ')})`;
    case 'not':
      return `not ${recurse(f.arg)}`;
    case 'compare':
      return `(${field(f.field)} ${COMPARE_SQL[f.op]} ${bind(f.value, type(f.field))})`;
    case 'in': {
      const test = `${field(f.field)} = any(${bind(f.values as Scalar[], type(f.field), true)})`;
      return f.negated ? `not (${test})` : `(${test})`;
    }
    case 'match':
      return f.op === 'contains'
        ? `(strpos(${field(f.field)}, ${bind(f.value, 'string')}) > 0)`
        : `(starts_with(${field(f.field)}, ${bind(f.value, 'string')}))`;
    case 'isNull':
      return `(${field(f.field)} is ${f.isNull ? '' : 'not '}null)`;
    default:
      return assertNever(f);
  }
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
