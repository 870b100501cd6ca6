import type { Plugin } from 'graphql-yoga';
import { limitExceeded, type TributaryError } from '../../errors/index.ts';
import type { LimitsConfig } from '../../schema/index.ts';
import { documentNesting, valueNesting } from '../nestingDepth.ts';

/**
 * server.limits.maxNesting over HTTP and SSE: a document whose brackets, or a variable
 * whose JSON, nest deeper than the limit is refused with LIMIT_EXCEEDED in onParams,
 * before graphql-js parses the document or coerces the variables (both recurse, and a few
 * thousand levels overflow the stack). graphql-ws applies the same check through
 * nestingRefusal (attachGraphqlWs).
 */
export function useNestingLimit(limits: LimitsConfig): Plugin {
  return {
    onParams({ params }) {
      const refusal = nestingRefusal(params.query, params.variables, limits.maxNesting);
      if (!refusal) return;
      // HTTP 400, like a validation error (Yoga drops `http` from the body).
      (refusal.extensions as Record<string, unknown>).http = { status: 400, spec: true };
      throw refusal;
    },
  };
}

/** The refusal for a document or variables nested deeper than `max`, or null. */
export function nestingRefusal(query: string | null | undefined, variables: unknown, max: number): TributaryError | null {
  const inDocument = typeof query === 'string' ? documentNesting(query) : 0;
  if (inDocument > max) return refusal(`the document nests brackets ${inDocument} levels deep`, max);
  if (variables !== null && typeof variables === 'object') {
    for (const [name, value] of Object.entries(variables)) {
      const depth = valueNesting(value);
      if (depth > max) return refusal(`variable $${name} nests ${depth} levels deep`, max);
    }
  }
  return null;
}

function refusal(found: string, max: number): TributaryError {
  return limitExceeded(`maxNesting: ${found}, the limit is ${max}`, { limit: 'maxNesting', max });
}
