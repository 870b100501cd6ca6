import type { DatasetConfig, DimensionType } from '../schema/index.ts';
import { compileExpressionSql } from './expression/index.ts';
import type { ColumnTypes } from './columns/ColumnTypes.ts';
import { integerBoundary, integerComparison, integerMembers, type IntegerType } from './columns/integerComparison.ts';
import { assertNever, type AggregatePlan, type Filter, type LeafMeasure, type OrderKey, type Scalar } from './LogicalPlan.ts';
import { postgresDialect, type BindParam, type ParamType, type SqlDialect } from './SqlDialect.ts';

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
/** With `totals`: 1 on the totals row of the grouping sets, 0 on the group rows. */
export const TOTALS_FLAG = '_totals';

export interface CompileOptions {
  /** The SQL types of the dataset's columns, as the source reported them; unknown columns bind as their dimension type. */
  readonly columnTypes?: ColumnTypes;
  /**
   * Also the totals of these leaves over the same filter, in the same statement: the plan
   * (a core: no having, order, limit or offset) is grouped by `grouping sets ((dims), ())`,
   * leaves only the totals need are added, and TOTALS_FLAG tells the totals row apart.
   */
  readonly totals?: readonly LeafMeasure[];
}

const PARAM_TYPE = { string: 'text', number: 'float8', boolean: 'boolean', time: 'timestamptz' } as const;
const COMPARE_SQL = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/**
 * Compiles a plan to one statement. The aggregate core (group, filter, leaf aggregates) is
 * the inner query; having, order, limit and offset run on its output columns outside, so
 * the same core SQL can later be cached and post-processed elsewhere.
 * Every value is a bound parameter; identifiers come only from the config and are quoted.
 */
export function compileSql(plan: AggregatePlan, dataset: DatasetConfig, dialect: SqlDialect = postgresDialect, options: CompileOptions = {}): CompiledQuery {
  const params: unknown[] = [];
  const bind: Bind = (value, type, array = false) => {
    params.push(value);
    return type ? dialect.typedPlaceholder(params.length, type, array) : dialect.placeholder(params.length);
  };
  const types = options.columnTypes;
  const q = dialect.quoteIdent;
  const col = (name: string) => `t.${q(name)}`;
  let zoneParam: string | null = null;
  const zone = () => (zoneParam ??= dialect.zoneArgument(dataset.timezone, (z) => bind(z, 'text')));

  const select: string[] = [];
  const groupBy: string[] = [];
  const groupExprs: string[] = [];
  const columns: ResultColumn[] = [];
  for (const d of plan.dimensions) {
    const name = dataset.dimensions[d.name]!.column;
    const column = col(name);
    if (d.type === 'time') {
      // Group by the bucket timestamp, convert only the groups to epoch ms: computing the
      // number per input row costs more and keeps Postgres from hash-aggregating. A naive
      // timestamp is read as UTC, so in a UTC dataset it is its own wall clock: no cast.
      const naiveUtc = types?.get(name) === 'timestamp' && dataset.timezone === 'UTC';
      const bucket = naiveUtc ? dialect.truncate(column, d.granularity!) : dialect.timeBucket(column, d.granularity!, zone());
      select.push(`${dialect.wallEpochMs(bucket)} as ${q(d.key)}`);
      groupBy.push(bucket);
      groupExprs.push(bucket);
    } else {
      const value = d.type === 'number' ? dialect.cast(`(${column})`, 'float8') : column;
      select.push(`${value} as ${q(d.key)}`);
      groupBy.push(String(select.length));
      groupExprs.push(value);
    }
    columns.push({ name: d.key, type: d.type });
  }
  const totalsOnly = (options.totals ?? []).filter((t) => !plan.measures.some((m) => m.key === t.key));
  for (const leaf of [...plan.measures, ...totalsOnly]) {
    select.push(`${leafSql(leaf, dataset, dialect, col, (v) => bind(v))} as ${q(leaf.key)}`);
    columns.push({ name: leaf.key, type: 'number' });
  }
  if (options.totals) {
    if (groupExprs.length === 0 || plan.having || plan.order.length > 0 || plan.limit !== null || plan.offset > 0) {
      throw new Error('compileSql: totals go with a grouped core only');
    }
    select.push(`${dialect.cast(`grouping(${groupExprs[0]})`, 'float8')} as ${q(TOTALS_FLAG)}`);
    columns.push({ name: TOTALS_FLAG, type: 'number' });
  }
  if (select.length === 0) {
    // Neither dimensions nor measures: still an aggregate without grouping, so exactly one
    // row, as `select count(*) from t` is. The column is declared so that the result table
    // carries that row (an Arrow table without columns has no rows).
    select.push(`${dialect.cast('count(*)', 'float8')} as ${q(NO_COLUMNS_ROW)}`);
    columns.push({ name: NO_COLUMNS_ROW, type: 'number' });
  }

  const predicates = [plan.filter, ...plan.security].filter((f): f is Filter => f !== null);
  const dimSql = (field: string) => col(dataset.dimensions[field]!.column);
  const dimType = (field: string): BindType => {
    const dim = dataset.dimensions[field]!;
    const sqlType = types?.get(dim.column);
    if ((sqlType === 'int2' || sqlType === 'int4' || sqlType === 'int8') && dim.type === 'number') return sqlType;
    if (sqlType === 'timestamp' && dim.type === 'time') return 'timestamp';
    return PARAM_TYPE[dim.type];
  };
  const where = predicates.map((f) => filterSql(f, dimSql, dimType, bind, dialect));
  let sql = `select ${select.join(', ')}\nfrom ${dialect.relation(dataset)} as t`;
  if (where.length > 0) sql += `\nwhere ${where.join(' and ')}`;
  if (options.totals) sql += `\ngroup by grouping sets ((${groupExprs.join(', ')}), ())`;
  else if (groupBy.length > 0) sql += `\ngroup by ${groupBy.join(', ')}`;

  const outer: string[] = [];
  if (plan.having) outer.push(`where ${filterSql(plan.having, (m) => measureValueSql(m, dataset, q), () => 'float8', bind, dialect)}`);
  if (plan.order.length > 0) outer.push(`order by ${plan.order.map((o) => orderSql(o, dataset, q, dialect.codePointOrder)).join(', ')}`);
  const limit = plan.limit !== null ? bind(plan.limit) : null;
  outer.push(...dialect.limitOffset(limit, plan.offset > 0 ? bind(plan.offset) : null));
  if (outer.length > 0) sql = `select * from (\n${indent(sql)}\n) as core\n${outer.join('\n')}`;
  return { sql, params, columns };
}


function leafSql(leaf: LeafMeasure, dataset: DatasetConfig, dialect: SqlDialect, col: (c: string) => string, param: (v: number) => string): string {
  const measure = dataset.measures[leaf.measure]!;
  // A bare column is aggregated as is (exact numeric sums, distinct counts of text);
  // expressions are compiled with float8 arithmetic.
  const arg = !measure.expr ? '*' : measure.expr.kind === 'ref' ? col(measure.expr.name) : compileExpressionSql(measure.expr, { ref: col, param, cast: dialect.cast });
  switch (leaf.fn) {
    case 'sum':
      return dialect.cast(`sum(${arg})`, 'float8');
    case 'count':
      return dialect.cast(`count(${arg})`, 'float8');
    case 'countDistinct':
      return dialect.cast(`count(distinct ${arg})`, 'float8');
    case 'min':
      return dialect.cast(`min(${arg})`, 'float8');
    case 'max':
      return dialect.cast(`max(${arg})`, 'float8');
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

function orderSql(o: OrderKey, dataset: DatasetConfig, q: (s: string) => string, codePointOrder: string): string {
  if (o.target === 'measure') return `${measureValueSql(o.field, dataset, q)} ${o.direction} nulls last`;
  // Text sorts by code point (collation "C") whatever the server's locale, so rows sorted
  // here and rows the cache sorts in JavaScript come out in the same order.
  const name = o.field.split('.')[0]!;
  const collate = dataset.dimensions[name]?.type === 'string' ? codePointOrder : '';
  return `${q(o.field)}${collate} ${o.direction} nulls last`;
}

type Bind = BindParam;
/** How a field's values are bound: its column's own type where known, else its dimension type's. */
type BindType = (typeof PARAM_TYPE)[DimensionType] | IntegerType | 'timestamp';

function filterSql(f: Filter, field: (name: string) => string, type: (name: string) => BindType, bind: Bind, dialect: SqlDialect): string {
  const recurse = (g: Filter) => filterSql(g, field, type, bind, dialect);
  switch (f.kind) {
    case 'const':
      return f.value ? 'true' : 'false';
    case 'and':
      return `(${f.args.map(recurse).join(' and ')})`;
    case 'or':
      return `(${f.args.map(recurse).join(' or ')})`;
    case 'not':
      return `not ${recurse(f.arg)}`;
    case 'compare': {
      const t = type(f.field);
      if (isInteger(t) && typeof f.value === 'number') {
        const c = integerComparison(t, f.op, f.value);
        const { op, value } = c.kind === 'compare' ? c : integerBoundary(t, c.kind);
        return `(${field(f.field)} ${COMPARE_SQL[op]} ${bind(value.toString(), integerParam(t))})`;
      }
      return `(${field(f.field)} ${COMPARE_SQL[f.op]} ${bind(boundValue(f.value, t), paramType(t))})`;
    }
    case 'in': {
      const t = type(f.field);
      let test: string;
      if (isInteger(t) && f.values.length > 0) {
        const members = integerMembers(t, f.values);
        if (members.length === 0) {
          // x IN (2.5) holds for no value and is unknown for null: so is x < min.
          const { op, value } = integerBoundary(t, 'never');
          test = `${field(f.field)} ${COMPARE_SQL[op]} ${bind(value.toString(), integerParam(t))}`;
        } else {
          test = dialect.memberOf(field(f.field), members.map(String), integerParam(t), bind);
        }
      } else {
        test = dialect.memberOf(field(f.field), f.values.map((v) => boundValue(v, t)), paramType(t), bind);
      }
      return f.negated ? `not (${test})` : `(${test})`;
    }
    case 'match':
      return f.op === 'contains'
        ? `(strpos(${field(f.field)}, ${bind(f.value, 'text')}) > 0)`
        : `(starts_with(${field(f.field)}, ${bind(f.value, 'text')}))`;
    case 'isNull':
      return `(${field(f.field)} is ${f.isNull ? '' : 'not '}null)`;
    default:
      return assertNever(f);
  }
}

function isInteger(t: BindType): t is IntegerType {
  return t === 'int2' || t === 'int4' || t === 'int8';
}

/** int2 and int4 columns compare with int4 parameters, int8 with int8: cross-type integer operators cast nothing. */
function integerParam(t: IntegerType): ParamType {
  return t === 'int8' ? 'int8' : 'int4';
}

function paramType(t: BindType): ParamType {
  return isInteger(t) ? integerParam(t) : t;
}

/**
 * A time value (an instant, ISO in UTC) compared with a naive timestamp column binds as its
 * UTC wall clock: sessions read naive timestamps as UTC, so the comparison is the same.
 */
function boundValue(value: Scalar, t: BindType): Scalar {
  return t === 'timestamp' && typeof value === 'string' && value.endsWith('Z') ? value.slice(0, -1) : value;
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}
