import { isObjectType, visit, type DocumentNode, type GraphQLField, type GraphQLSchema } from 'graphql';
import { PLAIN_READ_EXTENSION } from '../../resolvers/index.ts';

/** The marked fields of each schema, with the argument that makes each one more than a read. */
const markedBySchema = new WeakMap<GraphQLSchema, readonly { field: GraphQLField<unknown, unknown>; argument: string }[]>();

/**
 * Runs graphql-jit's compile with the marked resolvers (PLAIN_READ_EXTENSION names the
 * argument) of fields whose argument the document never passes taken off their fields.
 * graphql-jit reads a field without a resolver inline (a property access) and defers a field
 * with one (a call per row and field, about twice the time of a plain row). compileQuery is synchronous: nothing else runs while the resolvers are
 * off, and they are back before this returns, whatever the compile did.
 */
export function compileWithPlainReads<T>(schema: GraphQLSchema, document: DocumentNode, compile: () => T): T {
  const marked = markedFields(schema);
  if (marked.length === 0) return compile();
  const passed = argumentNames(document);
  const taken = marked.filter((m) => !passed.has(m.argument));
  const resolvers = taken.map((m) => m.field.resolve);
  for (const m of taken) m.field.resolve = undefined;
  try {
    return compile();
  } finally {
    taken.forEach((m, i) => (m.field.resolve = resolvers[i]));
  }
}

function markedFields(schema: GraphQLSchema) {
  let marked = markedBySchema.get(schema);
  if (!marked) {
    const found: { field: GraphQLField<unknown, unknown>; argument: string }[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const argument = field.extensions?.[PLAIN_READ_EXTENSION];
        if (typeof argument === 'string' && field.resolve) found.push({ field, argument });
      }
    }
    markedBySchema.set(schema, (marked = found));
  }
  return marked;
}

/** Every argument name used anywhere in the document (fragments included). */
function argumentNames(document: DocumentNode): Set<string> {
  const names = new Set<string>();
  visit(document, { Argument: (node) => void names.add(node.name.value) });
  return names;
}
