import { parentKey, previousRefKey, totalKey } from '../analyticsKeys.ts';
import { PREVIOUS_PREFIX, type Binary, type Call, type Expression } from './Expression.ts';
import { roundHalfAwayFromZero } from './roundHalfAwayFromZero.ts';

/** The value of a name in one row; null when the row has no value for it. */
export type Lookup = (name: string) => number | null;
export type Evaluator = (lookup: Lookup) => number | null;

/**
 * Compiles an expression once into a tree of closures evaluated per row (no `eval`).
 * The semantics match `compileExpressionSql` on PostgreSQL:
 *
 * - arithmetic with a null operand is null;
 * - division by zero is null (SQL: `a / nullif(b, 0)`);
 * - any value that comes out NaN or ±Infinity, including one returned by `lookup`, is
 *   null (PostgreSQL instead raises "value out of range" on float8 overflow);
 * - `coalesce(a, ...)` is the first non-null argument, else null;
 * - `nullif(a, b)` is null when a === b, else a;
 * - `min`/`max` ignore nulls and are null only when every argument is null, like SQL's
 *   `least`/`greatest`;
 * - `round(x)` and `round(x, d)` round halves away from zero to d decimal digits, d
 *   truncated toward zero; see `roundHalfAwayFromZero`; null if x or d is null;
 * - `abs`, `floor`, `ceil` are Math's, null for null;
 * - calc's analytics values are looked up under their row keys (planner/analyticsKeys.ts):
 *   `total(m)` as totalKey(m), `parent(m, d...)` as parentKey(m, [d...]), `previous.m` as
 *   previousRefKey(m).
 */
export function compileEvaluator(expr: Expression): Evaluator {
  switch (expr.kind) {
    case 'number': {
      const value = expr.value;
      return () => value;
    }
    case 'ref': {
      const name = expr.name.startsWith(PREVIOUS_PREFIX) ? previousRefKey(expr.name.slice(PREVIOUS_PREFIX.length)) : expr.name;
      return (lookup) => finite(lookup(name));
    }
    case 'negate': {
      const operand = compileEvaluator(expr.operand);
      return (lookup) => {
        const value = operand(lookup);
        return value === null ? null : -value;
      };
    }
    case 'binary':
      return compileBinary(expr);
    case 'call':
      return compileCall(expr);
    default: {
      const unreachable: never = expr;
      throw new Error(`compileEvaluator: unknown node ${JSON.stringify(unreachable)}`);
    }
  }
}

const ARITHMETIC: Readonly<Record<Binary['op'], (a: number, b: number) => number>> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => (b === 0 ? NaN : a / b),
};

function compileBinary(expr: Binary): Evaluator {
  const left = compileEvaluator(expr.left);
  const right = compileEvaluator(expr.right);
  const apply = ARITHMETIC[expr.op];
  return (lookup) => {
    const a = left(lookup);
    if (a === null) return null;
    const b = right(lookup);
    return b === null ? null : finite(apply(a, b));
  };
}

function compileCall(expr: Call): Evaluator {
  if (expr.fn === 'total' || expr.fn === 'parent') {
    const [measure, ...dimensions] = expr.args.map((arg) => (arg.kind === 'ref' ? arg.name : ''));
    const key = expr.fn === 'total' ? totalKey(measure!) : parentKey(measure!, dimensions);
    return (lookup) => finite(lookup(key));
  }
  const args = expr.args.map(compileEvaluator);
  const [first = () => null, second = () => null] = args;
  switch (expr.fn) {
    case 'abs':
      return unary(first, Math.abs);
    case 'floor':
      return unary(first, Math.floor);
    case 'ceil':
      return unary(first, Math.ceil);
    case 'round':
      if (args.length === 1) return unary(first, (x) => roundHalfAwayFromZero(x, 0));
      return (lookup) => {
        const x = first(lookup);
        const digits = x === null ? null : second(lookup);
        return x === null || digits === null ? null : finite(roundHalfAwayFromZero(x, digits));
      };
    case 'coalesce':
      return (lookup) => {
        for (const arg of args) {
          const value = arg(lookup);
          if (value !== null) return value;
        }
        return null;
      };
    case 'nullif':
      return (lookup) => {
        const a = first(lookup);
        return a !== null && a === second(lookup) ? null : a;
      };
    case 'min':
      return extreme(args, Math.min);
    case 'max':
      return extreme(args, Math.max);
    default: {
      const unreachable: never = expr.fn;
      throw new Error(`compileEvaluator: unknown function ${String(unreachable)}`);
    }
  }
}

function unary(operand: Evaluator, apply: (x: number) => number): Evaluator {
  return (lookup) => {
    const x = operand(lookup);
    return x === null ? null : finite(apply(x));
  };
}

function extreme(args: readonly Evaluator[], pick: (a: number, b: number) => number): Evaluator {
  return (lookup) => {
    let result: number | null = null;
    for (const arg of args) {
      const value = arg(lookup);
      if (value !== null) result = result === null ? value : pick(result, value);
    }
    return result;
  };
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}
