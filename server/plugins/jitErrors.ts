import { GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';

interface JitError {
  readonly message: string;
  readonly locations?: readonly { readonly line: number; readonly column: number }[];
  readonly path?: readonly (string | number)[];
  readonly originalError?: Error;
  readonly extensions?: Record<string, unknown>;
}

/**
 * graphql-jit reports errors as its own GraphQLError look-alikes: `locations` without
 * `source`/`positions`, and no cause for "Cannot return null for non-nullable field".
 * They are rebuilt here as graphql-js errors with the same message, locations (as
 * positions in the document's source), path, cause and extensions, so the error plugins
 * (useErrorCodes, useErrorHygiene, toClientError) treat them exactly as graphql-js's.
 */
export function asGraphqlJsErrors(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const source = document.loc?.source;
  const lineStarts = source ? lineStartsOf(source.body) : [];
  const errors = result.errors.map((error) => {
    const e = error as unknown as JitError;
    const positions = source && e.locations?.map((l) => (lineStarts[l.line - 1] ?? 0) + l.column - 1);
    // graphql-js locates a null in a non-null field as a thrown Error: an unexpected, masked fault.
    const originalError = e.originalError ?? (e.message.startsWith('Cannot return null for non-nullable field') ? new Error(e.message) : undefined);
    return new GraphQLError(e.message, {
      source: positions?.length ? source : undefined,
      positions: positions?.length ? positions : undefined,
      path: e.path,
      originalError,
      extensions: e.extensions,
    });
  });
  return { ...result, errors };
}

function lineStartsOf(body: string): number[] {
  const starts = [0];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === 0x0a) starts.push(i + 1);
    else if (c === 0x0d) {
      if (body.charCodeAt(i + 1) === 0x0a) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}
