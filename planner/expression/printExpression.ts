import type { Expression } from './Expression.ts';

/**
 * The canonical text of an expression, used in plan keys and explain output: every
 * negation and binary operation is parenthesized, operators are surrounded by one space,
 * numbers print as JavaScript prints them (`1e3` → `1000`, `.5` → `0.5`), and function
 * names are lower-case. Positions are ignored, so `a+b` and `a + b` print the same.
 * The output parses back to the same expression, unless its extra parentheses take it
 * over the parser's length or depth limit.
 */
export function printExpression(expr: Expression): string {
  switch (expr.kind) {
    case 'number':
      return String(expr.value);
    case 'ref':
      return expr.name;
    case 'negate':
      return `(-${printExpression(expr.operand)})`;
    case 'binary':
      return `(${printExpression(expr.left)} ${expr.op} ${printExpression(expr.right)})`;
    case 'call':
      return `${expr.fn}(${expr.args.map(printExpression).join(', ')})`;
    default: {
      const unreachable: never = expr;
      throw new Error(`printExpression: unknown node ${JSON.stringify(unreachable)}`);
    }
  }
}
