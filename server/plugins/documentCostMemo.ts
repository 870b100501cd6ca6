import { Kind, visit, type DocumentNode, type GraphQLSchema } from 'graphql';
import { documentCost } from './documentCost.ts';

/** Costs remembered per document: operation name × values of its `limit` variables. */
const MAX_COSTS_PER_DOCUMENT = 32;

interface PerDocument {
  /** Variables that a `limit` argument reads: the only ones the cost depends on. */
  readonly limitVariables: readonly string[];
  readonly costs: Map<string, number>;
}

/**
 * documentCost, remembered: a document's cost depends on the schema, the document, the
 * operation and the values of the variables passed as `limit`, nothing else, so a repeated
 * request (the usual dashboard) is costed once. Held weakly by schema and document (Yoga's
 * parse cache hands back one DocumentNode per text), and at most MAX_COSTS_PER_DOCUMENT
 * costs per document.
 */
export function createDocumentCostMemo(): typeof documentCost {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, PerDocument>>();
  return (schema, document, operationName, variables, defaultLimit) => {
    let documents = bySchema.get(schema);
    if (!documents) bySchema.set(schema, (documents = new WeakMap()));
    let entry = documents.get(document);
    if (!entry) documents.set(document, (entry = { limitVariables: limitVariablesOf(document), costs: new Map() }));
    // A given value as [value], a variable not given (its default applies) as 0: never equal.
    const values = entry.limitVariables.map((name) => (variables && Object.hasOwn(variables, name) ? [variables[name]] : 0));
    const key = `${operationName ?? ''}\u0000${defaultLimit}\u0000${JSON.stringify(values)}`;
    let cost = entry.costs.get(key);
    if (cost === undefined) {
      cost = documentCost(schema, document, operationName, variables, defaultLimit);
      if (entry.costs.size >= MAX_COSTS_PER_DOCUMENT) entry.costs.clear();
      entry.costs.set(key, cost);
    }
    return cost;
  };
}

function limitVariablesOf(document: DocumentNode): string[] {
  const names = new Set<string>();
  visit(document, {
    Argument(node) {
      if (node.name.value === 'limit' && node.value.kind === Kind.VARIABLE) names.add(node.value.name.value);
    },
  });
  return [...names];
}
