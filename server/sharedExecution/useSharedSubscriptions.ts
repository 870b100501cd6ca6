import type { Plugin } from 'graphql-yoga';
import { sharedSubscribe } from './sharedSubscribe.ts';
import { SharedResults } from './SharedResults.ts';

/** The results shared by this process's subscriptions (tests read its size and executions). */
export const subscriptionResults = new SharedResults();

/**
 * Subscriptions over every transport (graphql-ws, SSE in both modes) execute each window
 * version once per (schema, document, operation name, variables): see sharedSubscribe.
 * Other plugins' subscribe hooks (error codes, hygiene, masking) still see each
 * subscription's results, and replace a result with errors by a copy of their own.
 */
export function useSharedSubscriptions(results: SharedResults = subscriptionResults): Plugin {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn(sharedSubscribe(results, subscribeFn as Parameters<typeof sharedSubscribe>[1]) as never);
    },
  };
}
