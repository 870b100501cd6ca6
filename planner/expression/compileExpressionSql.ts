import { badInput } from '../../errors/index.ts';
import { PREVIOUS_PREFIX, type Binary, type Call, type Expression } from './Expression.ts';

export interface ExpressionSqlOptions {
  /** SQL for a reference to `name`, already quoted/qualified by the caller (`t."revenue"`). */
  readonly ref: (name: string) => string;
  /** A placeholder bound to `value` (`$3`); called once per literal, in source order. */
  readonly param: (value: number) => string;
  /** `sql` converted to a type, in the target dialect; default PostgreSQL's `sql::type`. */
  readonly cast?: (sql: string, type: 'float8' | 'numeric' | 'int') => string;
}

const postgresCast = (sql: string, type: string) => `${sql}::${type}`;

/**
 * Compiles an expression to a PostgreSQL scalar expression with the semantics of
 * `compileEvaluator`:
 *
 * - every reference and literal is cast `(...)::float8`, so all arithmetic is float8
 *   and integer division cannot happen; literals are always bound through `param`,
 *   never inlined;
 * - `a / b` is `a / nullif(b, 0)`: division by zero is null;
 * - `round` goes through numeric, which rounds halves away from zero (float8's own
 *   `round` rounds halves to even): `round((x)::numeric, (trunc(d))::int)::float8`;
 * - `min`/`max` are `least`/`greatest` (nulls ignored); other functions map directly;
 * - everything is parenthesized, so no SQL operator precedence is relied on (and no
 *   `--` comment can appear).
 *
 * Known differences from the evaluator: float8 overflow and underflow raise
 * "value out of range" in PostgreSQL where the evaluator returns null or 0, and a
 * digits argument of `round` outside the int4 range raises "integer out of range"
 * (`checkExpression` requires digits to be a constant).
 */
export function compileExpressionSql(expr: Expression, options: ExpressionSqlOptions): string {
  switch (expr.kind) {
    case 'number':
      return (options.cast ?? postgresCast)(`(${options.param(expr.value)})`, 'float8');
    case 'ref':
      if (expr.name.startsWith(PREVIOUS_PREFIX)) throw calcOnly(`${expr.name}`);
      return (options.cast ?? postgresCast)(`(${options.ref(expr.name)})`, 'float8');
    case 'negate':
      return `(-(${compileExpressionSql(expr.operand, options)}))`;
    case 'binary':
      return compileBinary(expr, options);
    case 'call':
      return compileCall(expr, options);
    default: {
      const unreachable: never = expr;
      throw new Error(`compileExpressionSql: unknown node ${JSON.stringify(unreachable)}`);
    }
  }
}

function compileBinary(expr: Binary, options: ExpressionSqlOptions): string {
  const left = compileExpressionSql(expr.left, options);
  const right = compileExpressionSql(expr.right, options);
  return expr.op === '/' ? `(${left} / nullif(${right}, 0))` : `(${left} ${expr.op} ${right})`;
}

/** total(), parent() and previous.m are computed by the gateway over an answer's rows (server/analytics/), never in SQL. */
function calcOnly(what: string) {
  return badInput(`${what} cannot be compiled to SQL: it is available only in calc(expr:) on dataset rows, which the gateway computes`);
}

function compileCall(expr: Call, options: ExpressionSqlOptions): string {
  if (expr.fn === 'total' || expr.fn === 'parent') throw calcOnly(`${expr.fn}()`);
  const args = expr.args.map((arg) => compileExpressionSql(arg, options));
  const list = args.join(', ');
  switch (expr.fn) {
    case 'abs':
    case 'floor':
    case 'ceil':
    case 'coalesce':
    case 'nullif':
      return `${expr.fn}(${list})`;
    case 'min':
      return `least(${list})`;
    case 'max':
      return `greatest(${list})`;
    case 'round': {
      const [value, digits] = args;
      const cast = options.cast ?? postgresCast;
      return digits === undefined
        ? cast(`(round(${cast(`(${value})`, 'numeric')}))`, 'float8')
        : cast(`(round(${cast(`(${value})`, 'numeric')}, ${cast(`(trunc(${digits}))`, 'int')}))`, 'float8');
    }
    default: {
      const unreachable: never = expr.fn;
      throw new Error(`compileExpressionSql: unknown function ${String(unreachable)}`);
    }
  }
}
