import { PREVIOUS_PREFIX, type Expression } from './Expression.ts';

/**
 * Every name the expression references, sorted (code-unit order) and deduplicated. calc's
 * analytics count as their measure: `total(revenue)`, `parent(revenue, region)` and
 * `previous.revenue` all reference `revenue` (the measure the answer must hold to compute
 * them); parent's dimensions are not names of this row's values.
 */
export function referencedNames(expr: Expression): readonly string[] {
  const names = new Set<string>();
  collect(expr, names);
  return Object.freeze([...names].sort());
}

function collect(expr: Expression, names: Set<string>): void {
  switch (expr.kind) {
    case 'number':
      return;
    case 'ref':
      names.add(expr.name.startsWith(PREVIOUS_PREFIX) ? expr.name.slice(PREVIOUS_PREFIX.length) : expr.name);
      return;
    case 'negate':
      collect(expr.operand, names);
      return;
    case 'binary':
      collect(expr.left, names);
      collect(expr.right, names);
      return;
    case 'call':
      if (expr.fn === 'total' || expr.fn === 'parent') {
        collect(expr.args[0]!, names);
        return;
      }
      for (const arg of expr.args) collect(arg, names);
      return;
    default: {
      const unreachable: never = expr;
      throw new Error(`referencedNames: unknown node ${JSON.stringify(unreachable)}`);
    }
  }
}
