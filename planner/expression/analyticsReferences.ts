import { PREVIOUS_PREFIX, type Expression } from './Expression.ts';

/** What a calc reads besides its row's measures (docs/DESIGN.md "Analytics"). */
export interface AnalyticsReferences {
  /** Measures m of `total(m)`, sorted and deduplicated. */
  readonly totals: readonly string[];
  /** `parent(m, d1, ...)`, deduplicated by measure and dimension set; dimensions sorted. */
  readonly parents: readonly { readonly measure: string; readonly dimensions: readonly string[] }[];
  /** Measures m of `previous.m`, sorted and deduplicated. */
  readonly previous: readonly string[];
}

/**
 * The analytics values a calc reads: what the analytics engine must compute for it, and
 * (through needsAnalytics) whether a request needs the engine at all. Expressions parsed
 * without `analytics` have none.
 */
export function analyticsReferences(expr: Expression): AnalyticsReferences {
  const totals = new Set<string>();
  const parents = new Map<string, { measure: string; dimensions: string[] }>();
  const previous = new Set<string>();
  const visit = (node: Expression): void => {
    switch (node.kind) {
      case 'number':
        return;
      case 'ref':
        if (node.name.startsWith(PREVIOUS_PREFIX)) previous.add(node.name.slice(PREVIOUS_PREFIX.length));
        return;
      case 'negate':
        return visit(node.operand);
      case 'binary':
        visit(node.left);
        return visit(node.right);
      case 'call': {
        const names = node.args.map((arg) => (arg.kind === 'ref' ? arg.name : ''));
        if (node.fn === 'total') totals.add(names[0]!);
        else if (node.fn === 'parent') {
          const [measure, ...rest] = names;
          const dimensions = [...new Set(rest)].sort();
          parents.set(JSON.stringify([measure, dimensions]), { measure: measure!, dimensions });
        } else node.args.forEach(visit);
        return;
      }
      default: {
        const unreachable: never = node;
        throw new Error(`analyticsReferences: unknown node ${JSON.stringify(unreachable)}`);
      }
    }
  };
  visit(expr);
  return {
    totals: [...totals].sort(),
    parents: [...parents.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p),
    previous: [...previous].sort(),
  };
}

/** True when a calc reads any total, parent or previous value. */
export function hasAnalyticsReferences(expr: Expression): boolean {
  const refs = analyticsReferences(expr);
  return refs.totals.length + refs.parents.length + refs.previous.length > 0;
}
