import type { Access } from '../security/index.ts';
import type { Gateway } from '../server/gateway.ts';
import type { SourceSlots } from '../server/SourceSlots.ts';
import type { DeliveryOutcome } from '../subscriptions/index.ts';

/**
 * A subscription's way to its client that takes an event (the subscription field's value for
 * one window version) and sends its result without the async iterator: graphql-ws sets one
 * per operation (server/sharedExecution/DirectRoute.ts).
 */
export interface SubscriptionRoute {
  deliver(event: object): DeliveryOutcome;
}

/** The per-request GraphQL context. */
export interface RequestContext {
  readonly gateway: Gateway;
  /** Names this request in the log; clients see it on errors whose details stay in the log. */
  readonly requestId: string;
  /** Aborts when the client goes away; source queries are cancelled with it. */
  readonly signal?: AbortSignal;
  /** The request's Authorization header, for admin mutations. */
  readonly authorization?: string;
  /** The verified caller; undefined when the gateway has no `auth` (open). */
  readonly access?: Access;
  /** Bounds this request's source queries in flight (server.limits.maxSourceQueriesPerRequest). */
  readonly sourceSlots?: SourceSlots;
  /** Set for a subscription over a transport that can send events directly (graphql-ws). */
  readonly subscriptionRoute?: SubscriptionRoute;
}
