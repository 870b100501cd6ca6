/**
 * One subscription's first answer, or nothing by a deadline: over graphql-ws and over SSE.
 * The subscription is abandoned at the deadline (socket disposed, request aborted), the way
 * a client that gives up does, so callers can also count what an abandoned attempt leaves.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import type { GraphQLResponse } from './testGateway.ts';

export interface FirstResult {
  /** The first `next` result (or the operation's `error` messages as errors); null by the deadline. */
  readonly result: GraphQLResponse | null;
  readonly ms: number;
}

/** graphql-ws (graphql-transport-ws) on the gateway's /graphql. */
export async function firstWsResult(httpUrl: string, query: string, timeoutMs: number): Promise<FirstResult> {
  const started = Date.now();
  const client = createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await new Promise<GraphQLResponse | null>((resolve) => {
      timer = setTimeout(() => resolve(null), timeoutMs);
      client.subscribe({ query }, {
        next: (r) => resolve(r as GraphQLResponse),
        error: (error) => resolve(Array.isArray(error) ? { errors: error } : { errors: [{ message: `socket closed: ${String((error as { reason?: string }).reason ?? error)}` }] }),
        complete: () => resolve({ errors: [{ message: 'completed without a result' }] }),
      });
    });
    return { result, ms: Date.now() - started };
  } finally {
    clearTimeout(timer);
    await client.dispose();
  }
}

/** SSE: POST with accept: text/event-stream; the first `event: next` block. */
export async function firstSseResult(httpUrl: string, query: string, timeoutMs: number): Promise<FirstResult> {
  const started = Date.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query }),
      signal: abort.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += read.value;
      for (const block of buffer.split(/\r?\n\r?\n/).slice(0, -1)) {
        const lines = block.split(/\r?\n/);
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (lines.some((l) => l.trim() === 'event: next') && data) return { result: JSON.parse(data) as GraphQLResponse, ms: Date.now() - started };
      }
    }
    return { result: { errors: [{ message: `SSE ended without a result (HTTP ${response.status})` }] }, ms: Date.now() - started };
  } catch (error) {
    if (abort.signal.aborted) return { result: null, ms: Date.now() - started };
    throw error;
  } finally {
    clearTimeout(timer);
    abort.abort(); // releases the response body if it is still open
  }
}
