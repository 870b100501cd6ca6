import type { Expression } from './Expression.ts';

/** Every name the expression references, sorted (code-unit order) and deduplicated. */
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
      names.add(expr.name);
      return;
    case 'negate':
      collect(expr.operand, names);
      return;
    case 'binary':
      collect(expr.left, names);
      collect(expr.right, names);
      return;
    case 'call':
      for (const arg of expr.args) collect(arg, names);
      return;
    default: {
      const unreachable: never = expr;
      throw new Error(`referencedNames: unknown node ${JSON.stringify(unreachable)}`);
    }
  }
}
