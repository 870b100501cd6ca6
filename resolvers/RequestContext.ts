import type { Gateway } from '../server/gateway.ts';

/** The per-request GraphQL context. */
export interface RequestContext {
  readonly gateway: Gateway;
  /** Aborts when the client goes away; source queries are cancelled with it. */
  readonly signal?: AbortSignal;
  /** The request's Authorization header, for admin mutations. */
  readonly authorization?: string;
}
