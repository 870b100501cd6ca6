import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../../errors/index.ts';

/**
 * Gives every error a response carries an `extensions.code`: GraphQL's own parse and
 * validation errors, and argument/variable coercion errors (BAD_USER_INPUT), which
 * graphql-js reports without one. Errors that already have a code are left as they are.
 */
export function useErrorCodes(): Plugin {
  return {
    onParse: () => afterParse,
    onValidate: () => afterValidate,
    onExecute: () => executeHooks,
    // A subscription refused before it streams (a schema without Subscription, bad
    // arguments) is a single result on the subscribe path, not the execute path.
    onSubscribe: () => subscribeHooks,
  };
}

// The hooks hold no per-request state: made once, not per request.
type AfterParse = Exclude<ReturnType<NonNullable<Plugin['onParse']>>, void | undefined>;
type AfterValidate = Exclude<ReturnType<NonNullable<Plugin['onValidate']>>, void | undefined>;
type ExecuteHooks = Exclude<ReturnType<NonNullable<Plugin['onExecute']>>, void | undefined>;
type SubscribeHooks = Exclude<ReturnType<NonNullable<Plugin['onSubscribe']>>, void | undefined>;

const afterParse: AfterParse = ({ result, replaceParseResult }) => {
  if (result instanceof GraphQLError) replaceParseResult(withCode(result, ErrorCode.GRAPHQL_PARSE_FAILED));
};
const afterValidate: AfterValidate = ({ result, setResult }) => {
  if (result.length > 0) setResult(result.map((e) => withCode(e, ErrorCode.GRAPHQL_VALIDATION_FAILED)));
};
const executeHooks: ExecuteHooks = {
  onExecuteDone: ({ result, setResult }) => {
    if (!('errors' in result) || !result.errors?.length) return;
    setResult({ ...result, errors: result.errors.map((e) => withCode(e, coercionCode(e))) });
  },
};
const subscribeHooks: SubscribeHooks = {
  onSubscribeResult: ({ result, setResult }) => {
    if (!('errors' in result) || !result.errors?.length) return;
    setResult({ ...result, errors: result.errors.map((e) => withCode(e, coercionCode(e))) });
  },
};

function coercionCode(error: GraphQLError): string {
  // Errors thrown by resolvers were made by us (coded) or are unexpected (masked later).
  return error.originalError && !(error.originalError instanceof GraphQLError) ? ErrorCode.INTERNAL : ErrorCode.BAD_USER_INPUT;
}

function withCode(error: GraphQLError, code: string): GraphQLError {
  if (error.extensions?.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}
