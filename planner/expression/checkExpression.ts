import { closestName } from './closestName.ts';
import { compileEvaluator } from './evaluateExpression.ts';
import { PREVIOUS_PREFIX, type Call, type Expression } from './Expression.ts';
import { expressionError, quoteSource } from './expressionError.ts';
import { referencedNames } from './referencedNames.ts';

export interface CheckExpressionOptions {
  /** Prefix of every error message. Default `expression`. */
  readonly label?: string;
  /** The names the expression may reference (measures for `calc`, columns for config). */
  readonly known: readonly string[];
  /** The text the expression was parsed from, quoted in messages. */
  readonly source: string;
  /**
   * A calc on dataset rows (parsed with `analytics`): `total(m)` and `previous.m` need a
   * measure m, `parent(m, d, ...)` a measure and dimensions. Without it they are refused.
   */
  readonly analytics?: { readonly measures: readonly string[]; readonly dimensions: readonly string[] };
}

/**
 * Throws BAD_USER_INPUT for the first problem in source order:
 *
 * - a reference to a name not in `known` (the message lists the known names and
 *   suggests one within two edits);
 * - division by a constant zero, after folding constant subexpressions (`x / 0`,
 *   `x / (1 - 1)`); a divisor that is merely zero for some rows is fine (it gives null);
 * - a `round` digits argument that references a name: digits must be a constant;
 * - `total`, `parent` or `previous.m` without `analytics`, or naming an unknown measure or
 *   dimension there.
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
        if (options.analytics && node.name.startsWith(PREVIOUS_PREFIX)) {
          return checkName(node.name.slice(PREVIOUS_PREFIX.length), options.analytics.measures, 'measure', node.pos + PREVIOUS_PREFIX.length);
        }
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
        if (node.fn === 'total' || node.fn === 'parent') return checkAnalyticsCall(node);
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
  const checkName = (name: string, names: readonly string[], what: string, pos: number): void => {
    if (names.includes(name)) return;
    const suggestion = closestName(name, names);
    const hint = suggestion === undefined ? '' : `; did you mean ${JSON.stringify(suggestion)}?`;
    const list = names.length === 0 ? '(none)' : [...new Set(names)].sort().join(', ');
    fail(`unknown ${what} ${JSON.stringify(name)}`, pos, `; ${what}s: ${list}${hint}`);
  };
  const checkAnalyticsCall = (node: Call): void => {
    if (!options.analytics) return fail(`${node.fn}() is available only in calc(expr:) on dataset rows`, node.pos);
    const [measure, ...dimensions] = node.args;
    // parseExpression made every argument a plain name.
    if (measure?.kind === 'ref') checkName(measure.name, options.analytics.measures, 'measure', measure.pos);
    for (const d of dimensions) if (d.kind === 'ref') checkName(d.name, options.analytics.dimensions, 'dimension', d.pos);
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
