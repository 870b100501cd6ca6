import type { ExecutionResult } from 'graphql';

/**
 * Serializes a shared subscription result once for every frame that carries it: graphql-ws
 * frames (below, and DirectRoute), and Yoga's SSE events (through the result's `stringify`).
 *
 * graphql-ws builds each `next` frame with JSON.stringify({ id, type, payload }) and hands
 * it straight (synchronously) to the socket's send. For a shared result, the payload given
 * to graphql-ws is a stand-in whose toJSON records the result's JSON (made once per result)
 * and prints a placeholder; `spliceFrame`, on the socket's send, puts the recorded JSON in
 * place of the placeholder. `payload` is the frame's last key, so the placeholder is the
 * frame's tail and nothing the client chose (the id) can be mistaken for it.
 */
const PLACEHOLDER = '\u0000tributary:shared-payload\u0000';
const TAIL = `${JSON.stringify(PLACEHOLDER)}}`;

const serialized = new WeakMap<object, string>();
/** Results that may be serialized once: shared by several subscriptions, never mutated. */
const shareable = new WeakSet<object>();
/** The JSON of the stand-in printed last, awaiting its frame (stringify and send run back to back). */
let pending: string | undefined;

/**
 * Yoga's result processors (SSE, and plain HTTP) serialize a result with its own
 * `stringify` when it has one, else JSON.stringify: a shared result's gives its JSON, made
 * once; a copy of it (a plugin adding coded errors) is serialized as usual.
 */
function stringifyShared(this: void, result: ExecutionResult): string {
  return shareable.has(result) ? sharedJson(result) : JSON.stringify(result);
}

export function markShared(result: ExecutionResult): void {
  if (shareable.has(result)) return;
  shareable.add(result);
  // Not enumerable: spreads and JSON.stringify do not see it.
  if (Object.isExtensible(result)) Object.defineProperty(result, 'stringify', { value: stringifyShared });
}

/** The JSON of a result shared by several subscriptions (never mutated), made once. */
export function sharedJson(result: ExecutionResult): string {
  let json = serialized.get(result);
  if (json === undefined) serialized.set(result, (json = JSON.stringify(result)));
  return json;
}

/** The payload graphql-ws should stringify for `result`: a stand-in if it is shared, else undefined (graphql-ws's own). */
export function framePayload(result: unknown): { toJSON(): string } | undefined {
  if (typeof result !== 'object' || result === null || !shareable.has(result)) return undefined;
  const text = sharedJson(result);
  return {
    toJSON() {
      pending = text;
      return PLACEHOLDER;
    },
  };
}

/** A frame about to be sent, with the pending shared JSON in place of its placeholder. */
export function spliceFrame(frame: string): string {
  if (pending === undefined || !frame.endsWith(TAIL)) return frame;
  const json = pending;
  pending = undefined;
  return `${frame.slice(0, -TAIL.length)}${json}}`;
}
