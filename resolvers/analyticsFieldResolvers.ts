import { PREVIOUS_KEY, rollingKey } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import { PLAIN_READ_EXTENSION } from './plainReadExtension.ts';
import type { ResultRow } from './tableToRows.ts';

/** Distinct window texts whose row keys are remembered per measure; past it, that measure starts afresh (window texts are client input). */
const MAX_WINDOWS = 256;

/**
 * Row field resolvers of a dataset's analytics (docs/DESIGN.md "Analytics"): a measure field
 * reads its own key, or with `rolling:` the key analyticsKeys.rollingKey names; `previous`
 * reads the object the engine keeps under PREVIOUS_KEY (its fields are the measures, read
 * by the default resolver). A plain measure costs one property read, as before (compiled
 * queries without `rolling:` do not call the resolver at all: PLAIN_READ_EXTENSION marks it).
 */
export function analyticsFieldResolvers(dataset: DatasetConfig): Record<string, unknown> {
  const resolvers: Record<string, unknown> = {};
  for (const measure of Object.keys(dataset.measures)) {
    const keys = new Map<string, string>();
    const keyOf = (window: string) => {
      let key = keys.get(window);
      if (key === undefined) {
        if (keys.size >= MAX_WINDOWS) keys.clear();
        keys.set(window, (key = rollingKey(measure, window)));
      }
      return key;
    };
    resolvers[measure] = {
      resolve: (row: ResultRow, args: { rolling?: string | null }) => {
        const window = args.rolling;
        return (window == null ? row[measure] : row[keyOf(window)]) ?? null;
      },
      extensions: { [PLAIN_READ_EXTENSION]: 'rolling' },
    };
  }
  if (Object.keys(dataset.measures).length > 0) resolvers.previous = (row: Record<string, unknown>) => row[PREVIOUS_KEY] ?? null;
  return resolvers;
}
