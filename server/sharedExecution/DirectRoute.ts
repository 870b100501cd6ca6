import type { ExecutionResult } from 'graphql';
import type { SubscriptionRoute } from '../../resolvers/index.ts';
import type { DeliveryOutcome } from '../../subscriptions/index.ts';
import { sharedJson } from './serializedOnce.ts';

type MaybePromise<T> = T | Promise<T>;

/** The part of a ws WebSocket a route writes to. */
export interface FrameSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** ws's WebSocket.OPEN. */
const OPEN = 1;

/**
 * Bytes a socket may hold unsent and still take frames directly. Past it, versions take
 * graphql-ws's path, which waits for each write to drain: a client that stops reading then
 * leaves them in its Subscriber's bounded queue (and its stall policy) as without a route,
 * instead of in the socket's buffer. A client that keeps up stays far below it (a window
 * version for 100 subscriptions on one socket is of the order of 50 KB).
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * One graphql-ws operation's direct way to its socket: an event (a window version's payload,
 * the same object for every subscription that shares it) becomes its shared execution result
 * (one execution and one JSON per group, see sharedSubscribe and serializedOnce), and goes
 * out as a `next` frame built from that JSON, synchronously, with no async iterator, promise
 * or graphql-ws hook per subscriber.
 *
 * Declined, so the event takes graphql-ws's own path instead (through the plugins' result
 * hooks): before sharedSubscribe has said how to execute (`executeWith`), once graphql-ws no
 * longer holds the operation (`isOpen`), when the socket is not open or is behind on its
 * writes (MAX_BUFFERED_BYTES), and for results that are not ready at once or carry errors
 * (errors must be coded, cleaned and masked by the plugins). A result without errors is
 * exactly what graphql-ws would send: the plugins' subscribe hooks change only results
 * with errors.
 */
export class DirectRoute implements SubscriptionRoute {
  private run: ((event: object) => MaybePromise<ExecutionResult>) | undefined;
  private readonly prefix: string;
  /** Frames sent by every route of this process, for tests. */
  static framesSent = 0;

  constructor(
    private readonly socket: FrameSocket,
    id: string,
    private readonly isOpen: () => boolean,
  ) {
    // graphql-ws's frame: { id, type: "next", payload }.
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  /** How an event becomes its result (shared by the operations of one group). */
  executeWith(run: (event: object) => MaybePromise<ExecutionResult>): void {
    this.run = run;
  }

  deliver(event: object): DeliveryOutcome {
    if (!this.run || this.socket.readyState !== OPEN || this.socket.bufferedAmount > MAX_BUFFERED_BYTES || !this.isOpen()) return 'declined';
    const result = this.run(event);
    if (result instanceof Promise || (result.errors && result.errors.length > 0)) return 'declined';
    this.socket.send(`${this.prefix}${sharedJson(result)}}`);
    DirectRoute.framesSent += 1;
    return 'sent';
  }
}
