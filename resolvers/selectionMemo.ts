import type { FieldNode, GraphQLResolveInfo } from 'graphql';
import type { DatasetRequest } from '../planner/index.ts';

/** Requests remembered per field of a document (one per set of variable values). */
const MAX_PER_FIELD = 16;
/** Variables longer than this as JSON are not worth a key: the request is read again. */
const MAX_KEY_CHARS = 2_048;

/**
 * Remembers what a dataset field asks (collectSelection's DatasetRequest) per field node
 * and variable values: the same document (Yoga's parse cache hands back one DocumentNode
 * per text) with the same variables asks the same thing, so a repeated request skips
 * walking its selection and re-checking its calcs. Held weakly by the field node; one memo
 * per dataset resolver, hence per role schema. A selection that throws is not remembered.
 * The requests handed out are shared, so they are deep-frozen when remembered: nothing
 * downstream can change them, and the plan memo may remember a frozen request's key.
 */
export function createSelectionMemo(): (info: GraphQLResolveInfo, read: () => DatasetRequest) => DatasetRequest {
  const byField = new WeakMap<FieldNode, Map<string, DatasetRequest>>();
  return (info, read) => {
    if (info.fieldNodes.length !== 1) return read(); // the same field asked twice under one alias: merged, rare
    const variables = info.variableValues;
    let key = '';
    for (const _ in variables) {
      key = JSON.stringify(variables);
      break;
    }
    if (key.length > MAX_KEY_CHARS) return read();
    const node = info.fieldNodes[0]!;
    let requests = byField.get(node);
    if (!requests) byField.set(node, (requests = new Map()));
    let request = requests.get(key);
    if (!request) {
      request = deepFreeze(read());
      if (requests.size >= MAX_PER_FIELD) requests.clear();
      requests.set(key, request);
    }
    return request;
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}
