/**
 * The reference SQL that differential suites compare the gateway with: a `where` or
 * `having` input written as plain Postgres, independently of the planner. `p` binds a
 * value and returns its placeholder. Each suite says how its fields map to columns and
 * measures to SQL, and the time zone that offset-less time values are read in.
 */
export interface ReferenceTable {
  /** The column (or expression) of a dimension. */
  column(field: string): string;
  /** 'string' | 'number' | 'boolean' | 'time'. */
  type(field: string): string | undefined;
  /** The SQL of a measure, for having. */
  measure(name: string): string;
  readonly zone: string;
}

type Input = Record<string, any>;
type Bind = (value: unknown) => string;

const SQL_OP: Record<string, string> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

export function referenceFilterSql(table: ReferenceTable) {
  /** AND/OR/NOT over the suite's leaves; an empty AND is true, an empty OR false. */
  const tree = (leaf: (key: string, ops: Input, p: Bind) => string[]) => {
    const walk = (input: Input, p: Bind): string => {
      const parts: string[] = [];
      for (const [key, value] of Object.entries(input)) {
        if (key === 'AND') parts.push(value.length ? `(${value.map((v: Input) => walk(v, p)).join(' and ')})` : 'true');
        else if (key === 'OR') parts.push(value.length ? `(${value.map((v: Input) => walk(v, p)).join(' or ')})` : 'false');
        else if (key === 'NOT') parts.push(`(not ${walk(value, p)})`);
        else parts.push(...leaf(key, value as Input, p));
      }
      return parts.length ? `(${parts.join(' and ')})` : 'true';
    };
    return walk;
  };

  const predicate = (field: string, op: string, value: unknown, p: Bind): string => {
    const type = table.type(field);
    const column = table.column(field);
    const param = (v: unknown) => {
      if (type === 'number') return `${p(v)}::numeric`;
      if (type === 'boolean') return `${p(v)}::boolean`;
      if (type === 'time') return /(Z|[+-]\d\d:\d\d)$/.test(String(v)) ? `${p(v)}::timestamptz` : `(${p(v)}::timestamp at time zone '${table.zone}')`;
      return `${p(v)}::text`;
    };
    if (op === 'contains') return `(position(${p(value)}::text in ${column}) > 0)`;
    if (op === 'startsWith') return `(left(${column}, length(${p(value)}::text)) = ${p(value)}::text)`;
    return comparison(column, op, value, param);
  };

  return {
    whereSql: tree((field, ops, p) => Object.entries(ops).map(([op, v]) => predicate(field, op, v, p))),
    havingSql: tree((measure, ops, p) => Object.entries(ops).map(([op, v]) => comparison(`(${table.measure(measure)})`, op, v, (x) => `${p(x)}::numeric`))),
  };
}

function comparison(lhs: string, op: string, value: unknown, param: Bind): string {
  if (op === 'isNull') return `(${lhs} is ${value ? '' : 'not '}null)`;
  if (op === 'in') return (value as unknown[]).length ? `(${lhs} in (${(value as unknown[]).map(param).join(', ')}))` : 'false';
  if (op === 'notIn') return (value as unknown[]).length ? `(${lhs} not in (${(value as unknown[]).map(param).join(', ')}))` : 'true';
  return `(${lhs} ${SQL_OP[op]} ${param(value)})`;
}
