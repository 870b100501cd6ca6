import { getVariableValues, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createCompiledQueries } from './compiledQueries.ts';
import { asGraphqlJsErrors } from './jitErrors.ts';

/** Documents kept compiled per schema (each role's schema has its own). */
const MAX_COMPILED_PER_SCHEMA = 500;

/**
 * Runs query operations through graphql-jit: each (schema, document, operation) is compiled
 * once to a JavaScript function that reads fields with plain property access and calls
 * only the resolvers the schema defines, instead of graphql-js walking the document per
 * row and per field. Mutations and subscriptions stay on graphql-js.
 *
 * What a client sees does not change: variables are coerced by graphql-js (same values,
 * messages and locations), and graphql-jit's errors are rebuilt as graphql-js errors before
 * the error plugins see them. Goes after every plugin that may refuse an operation in
 * onExecute (useMaxCost): a refused one is never compiled or run.
 */
export function useCompiledQueries(): Plugin {
  const compiled = createCompiledQueries(MAX_COMPILED_PER_SCHEMA);
  return {
    onExecute({ args, setExecuteFn }) {
      const found = compiled.get(args.schema, args.document, args.operationName);
      if (!found) return;
      setExecuteFn(function compiledExecute(executeArgs: ExecutionArgs) {
        let variables: Record<string, unknown> = {};
        const definitions = found.operation.variableDefinitions;
        if (definitions?.length) {
          const coerced = getVariableValues(executeArgs.schema, definitions, executeArgs.variableValues ?? {}, { maxErrors: 50 });
          if (coerced.errors) return { errors: coerced.errors };
          variables = coerced.coerced;
        }
        const result = found.query.query(executeArgs.rootValue, executeArgs.contextValue, variables);
        return result instanceof Promise
          ? result.then((r) => asGraphqlJsErrors(r, executeArgs.document))
          : asGraphqlJsErrors(result, executeArgs.document);
      } as never);
    },
  };
}
