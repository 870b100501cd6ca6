import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { limitExceeded } from '../../errors/index.ts';
import type { LimitsConfig } from '../../schema/index.ts';
import { useMaxCost } from './useMaxCost.ts';

/**
 * server.limits as Yoga plugins: tokens are counted while parsing (the parser stops at the
 * first token over the limit, so a huge document costs no more than a small one), depth,
 * aliases and directives are validation rules, and the cost is checked once variables are
 * known. Every refusal is LIMIT_EXCEEDED naming the limit, and comes before any source query.
 * maxBodyBytes (server/limitBody.ts), maxSubscriptionsPerConnection (attachGraphqlWs.ts) and
 * maxSourceQueriesPerRequest (SourceSlots.ts) are enforced where bodies, sockets and source
 * queries are.
 */
export function useLimits(limits: LimitsConfig, defaultLimit: number): Plugin[] {
  return [
    // The lexer's onReject runs before the parser goes on; throwing there ends the parse.
    maxTokensPlugin({
      n: limits.maxTokens,
      onReject: [() => { throw refusal('maxTokens', limits.maxTokens, () => `more than ${limits.maxTokens} tokens`); }],
    }),
    // Fragment spreads count as a level (graphql-armor's default), so a chain of fragments cannot hide depth.
    maxDepthPlugin({ n: limits.maxDepth, ...reportAs('maxDepth', limits.maxDepth, (n) => `depth ${n}`) }),
    // `__typename` aliases count too: 100,000 of them are as much work to answer as any other field.
    maxAliasesPlugin({ n: limits.maxAliases, allowList: [], ...reportAs('maxAliases', limits.maxAliases, (n) => `${n} aliases`) }),
    maxDirectivesPlugin({ n: limits.maxDirectives, ...reportAs('maxDirectives', limits.maxDirectives, (n) => `${n} directives`) }),
    useMaxCost(limits.maxCost, defaultLimit),
  ] as Plugin[];
}

/**
 * graphql-armor's validation rules report through onReject; their own errors carry no code
 * and say "Syntax Error: ...". Reporting ours instead (and not throwing, which would end
 * validation with an exception) keeps the refusal an ordinary validation error.
 */
function reportAs(limit: string, max: number, found: (n: string) => string) {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(refusal(limit, max, () => found(foundIn(error, max))))],
  };
}

/** graphql-armor's message ends "…exceeded, found 31."; the count is what the client needs. */
function foundIn(error: GraphQLError, max: number): string {
  return /found (\d+)/.exec(error.message)?.[1] ?? `more than ${max}`;
}

function refusal(limit: string, max: number, found: () => string): GraphQLError {
  return limitExceeded(`${limit}: ${found()}, the limit is ${max}`, { limit, max });
}
