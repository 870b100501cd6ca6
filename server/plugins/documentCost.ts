import {
  getNamedType,
  getOperationAST,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * What one operation may read, in rows, before any of it runs (DESIGN.md "Limits"):
 * - a dataset or fusion field of Query (its type is `<X>Result`, schema/buildTypeDefs.ts)
 *   costs its row limit: its `limit` argument, literal or variable, else `defaultLimit`;
 * - a relation (an object-typed field of a row) costs that row limit again: one lookup per row;
 * - `totals` cost 1; meta, scalars and `__typename` cost nothing.
 * Fragments are followed; each (fragment, row limit) pair is costed once, so fragments
 * spread many times cannot make this walk exponential. Aliases of one field each count.
 */
export function documentCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  defaultLimit: number,
): number {
  const operation = getOperationAST(document, operationName);
  const query = schema.getQueryType();
  // No single operation or not a query: execution reports the former, and only Query has datasets.
  if (!operation || operation.operation !== 'query' || !query) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const memo = new Map<string, number>();

  const costOf = (type: GraphQLObjectType, set: SelectionSetNode, rows: number): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += fieldCost(type, selection, rows);
      else if (selection.kind === Kind.INLINE_FRAGMENT) total += costOf(conditionType(selection.typeCondition?.name.value) ?? type, selection.selectionSet, rows);
      else {
        const fragment = fragments.get(selection.name.value);
        const on = fragment && conditionType(fragment.typeCondition.name.value);
        if (!fragment || !on) continue;
        const key = `${fragment.name.value}\u0000${rows}`;
        if (!memo.has(key)) {
          memo.set(key, 0); // a cycle (refused by validation anyway) ends here instead of looping
          memo.set(key, costOf(on, fragment.selectionSet, rows));
        }
        total += memo.get(key)!;
      }
    }
    return total;
  };

  const fieldCost = (parent: GraphQLObjectType, field: FieldNode, rows: number): number => {
    const type = getNamedType(parent.getFields()[field.name.value]?.type);
    if (!isObjectType(type) || !field.selectionSet) return 0;
    if (parent === query && type.name.endsWith('Result')) {
      const limit = rowLimit(field, operation, variables, defaultLimit);
      return limit + costOf(type, field.selectionSet, limit);
    }
    if (parent.name.endsWith('Result')) return field.name.value === 'totals' ? 1 : field.name.value === 'rows' ? costOf(type, field.selectionSet, rows) : 0;
    if (parent.name.endsWith('Row')) return rows + costOf(type, field.selectionSet, rows);
    return costOf(type, field.selectionSet, rows);
  };

  const conditionType = (name: string | undefined): GraphQLObjectType | undefined => {
    if (name === undefined) return undefined;
    const type = schema.getType(name);
    return isObjectType(type) ? type : undefined;
  };

  return costOf(query, operation.selectionSet, 0);
}

/**
 * The `limit` a dataset field will run with. A value that is not a whole number will be
 * refused when variables are coerced, so it costs the default here; a negative one costs 0.
 */
function rowLimit(
  field: FieldNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  defaultLimit: number,
): number {
  const argument = field.arguments?.find((a) => a.name.value === 'limit');
  let value = argument?.value;
  if (value?.kind === Kind.VARIABLE) {
    const name = value.name.value;
    if (variables && Object.hasOwn(variables, name)) return wholeOrDefault(variables[name], defaultLimit);
    value = operation.variableDefinitions?.find((v) => v.variable.name.value === name)?.defaultValue;
  }
  return value?.kind === Kind.INT ? wholeOrDefault(Number(value.value), defaultLimit) : defaultLimit;
}

function wholeOrDefault(value: unknown, defaultLimit: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? Math.max(0, value) : defaultLimit;
}
