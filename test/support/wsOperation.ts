import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLResponse } from './testGateway.ts';

export interface WsPayload {
  readonly query: string;
  readonly operationName?: string;
  readonly variables?: Record<string, unknown>;
  readonly extensions?: Record<string, unknown>;
}

export interface WsOutcome {
  /** The `next` results, in order. */
  readonly results: GraphQLResponse[];
  /** The operation's `error` message (refused before it ran), if any. */
  readonly refused?: readonly { message: string; extensions?: Record<string, unknown> }[];
  /** Set when the socket closed under the operation (e.g. 4500 Internal server error). */
  readonly closed?: { readonly code: number; readonly reason: string };
}

/**
 * Runs one operation over graphql-ws (subprotocol graphql-transport-ws) on the gateway's
 * /graphql and resolves when it ends, however it ends: completed, refused with an `error`
 * message, or cut off by the socket closing.
 */
export async function wsOperation(httpUrl: string, payload: WsPayload): Promise<WsOutcome> {
  const client = createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  const results: GraphQLResponse[] = [];
  try {
    return await new Promise<WsOutcome>((resolve) => {
      client.subscribe(payload as never, {
        next: (result) => void results.push(result as GraphQLResponse),
        complete: () => resolve({ results }),
        error: (error) => {
          if (Array.isArray(error)) return resolve({ results, refused: error });
          const close = error as { code?: number; reason?: string };
          resolve({ results, closed: { code: close.code ?? -1, reason: String(close.reason ?? error) } });
        },
      });
    });
  } finally {
    await client.dispose();
  }
}
