import { closestName } from './closestName.ts';
import { compileEvaluator } from './evaluateExpression.ts';
import type { Expression } from './Expression.ts';
import { expressionError, quoteSource } from './expressionError.ts';
import { referencedNames } from './referencedNames.ts';

export interface CheckExpressionOptions {
  /** Prefix of every error message. Default `expression`. */
  readonly label?: string;
  /** The names the expression may reference (measures for `calc`, columns for config). */
  readonly known: readonly string[];
  /** The text the expression was parsed from, quoted in messages. */
  readonly source: string;
}

/**
 * Throws BAD_USER_INPUT for the first problem in source order:
 *
 * - a reference to a name not in `known` (the message lists the known names and
 *   suggests one within two edits);
 * - division by a constant zero, after folding constant subexpressions (`x / 0`,
 *   `x / (1 - 1)`); a divisor that is merely zero for some rows is fine (it gives null);
 * - a `round` digits argument that references a name: digits must be a constant.
 */
export function checkExpression(expr: Expression, options: CheckExpressionOptions): void {
  const label = options.label ?? 'expression';
  const known = new Set(options.known);
  const fail = (message: string, pos: number, suffix = ''): never => {
    throw expressionError(label, `${message} at column ${pos + 1} in ${quoteSource(options.source, pos)}${suffix}`, pos);
  };

  const visit = (node: Expression): void => {
    switch (node.kind) {
      case 'number':
        return;
      case 'ref': {
        if (known.has(node.name)) return;
        const suggestion = closestName(node.name, options.known);
        const hint = suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`;
        const list = options.known.length === 0 ? '(none)' : [...new Set(options.known)].sort().join(', ');
        return fail(`unknown name ${JSON.stringify(node.name)}`, node.pos, `; known: ${list}${hint}`);
      }
      case 'negate':
        return visit(node.operand);
      case 'binary':
        visit(node.left);
        if (node.op === '/' && constantValue(node.right) === 0) fail('division by the constant zero', node.pos);
        return visit(node.right);
      case 'call': {
        const digits = node.fn === 'round' ? node.args[1] : undefined;
        const name = digits === undefined ? undefined : firstReference(digits);
        if (name !== undefined) {
          fail(`the digits argument of round must be a constant; got the name ${JSON.stringify(name.name)}`, name.pos);
        }
        node.args.forEach(visit);
        return;
      }
      default: {
        const unreachable: never = node;
        throw new Error(`checkExpression: unknown node ${JSON.stringify(unreachable)}`);
      }
    }
  };
  visit(expr);
}

/** The value of an expression without references; undefined when it has any. */
function constantValue(expr: Expression): number | null | undefined {
  if (referencedNames(expr).length > 0) return undefined;
  return compileEvaluator(expr)(() => null);
}

function firstReference(expr: Expression): { name: string; pos: number } | undefined {
  switch (expr.kind) {
    case 'number':
      return undefined;
    case 'ref':
      return expr;
    case 'negate':
      return firstReference(expr.operand);
    case 'binary':
      return firstReference(expr.left) ?? firstReference(expr.right);
    case 'call':
      return expr.args.reduce<{ name: string; pos: number } | undefined>((found, arg) => found ?? firstReference(arg), undefined);
    default: {
      const unreachable: never = expr;
      throw new Error(`checkExpression: unknown node ${JSON.stringify(unreachable)}`);
    }
  }
}
