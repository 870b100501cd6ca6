import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { ExecutionResult } from 'graphql';
import { createHandler, type RequestParams } from 'graphql-sse';
import { ErrorCode } from '../errors/index.ts';
import { AuthFailure, type Authenticator } from '../security/index.ts';
import { readSseResults } from './readSseResults.ts';
import { SseReservations } from './sseReservations.ts';
import { unauthenticated } from './unauthenticated.ts';

const TOKEN_HEADER = 'x-graphql-event-stream-token';
/** Marks the gateway's own request that disposes an expired reservation. */
const EXPIRING = Object.freeze({}) as IncomingMessage;

/** What this needs of Yoga: its fetch entry point, which runs every plugin. */
export interface FetchesGraphQL {
  fetch(url: string, init: RequestInit): Promise<Response> | Response;
}

/** Request headers that describe this hop or this body, not the caller: never forwarded. */
const OWN_HEADERS = new Set(['host', 'connection', 'keep-alive', 'upgrade', 'transfer-encoding', 'content-length', 'content-type', 'accept', TOKEN_HEADER]);

/**
 * The "single connection mode" of the GraphQL over SSE protocol (the graphql-sse client's
 * `singleConnection: true`) on /graphql: PUT reserves a stream token, GET with the token
 * opens the event stream, POSTs with the token add operations to it, DELETE stops one.
 * Yoga serves only the distinct-connections mode and answers PUT with 405.
 *
 * The graphql-sse package keeps the streams and the protocol; every operation itself runs
 * through Yoga (`yoga.fetch`, distinct-connections mode) with the caller's headers, so
 * authentication, trusted documents, limits, error codes and masking apply exactly as on
 * any other request. @graphql-yoga/plugin-graphql-sse was not used: it executes through
 * `getEnveloped`, which skips Yoga's request hooks (onRequest, onParams) where auth, trusted
 * documents and the nesting limit run, and its releases need a newer graphql-yoga.
 */
export function createSingleConnectionSse(yoga: FetchesGraphQL, verify: Authenticator | null, limits: { maxReservations?: number; reservationTtlMs?: number } = {}) {
  // A reservation nobody connects to is disposed the way a closed stream is: open it, end it.
  const reservations = new SseReservations(limits.maxReservations ?? 1_000, limits.reservationTtlMs ?? 30_000, (token) => {
    void handler({ method: 'GET', url: `/graphql?token=${token}`, headers: { get: (key) => (key === 'accept' ? 'text/event-stream' : undefined) }, body: () => '', raw: EXPIRING, context: undefined })
      .then(([body]) => (body && typeof body !== 'string' ? body.return(undefined) : undefined))
      .catch(() => {});
  });
  const handler = createHandler<IncomingMessage>({
    authenticate: async (req) => {
      if (req.raw === EXPIRING) return new URL(req.url, 'http://localhost/').searchParams.get('token')!;
      // With auth on, no anonymous caller may hold streams (reservations cost memory); the
      // operations are verified again by Yoga, which decides what each may read.
      if (verify) {
        try {
          await verify(req.headers.get('authorization') ?? undefined);
        } catch (error) {
          if (!(error instanceof AuthFailure)) throw error;
          const { body, status, headers } = unauthenticated(error);
          return [body, { status, statusText: 'Unauthorized', headers }];
        }
      }
      // Stream tokens are capabilities (whoever has one reads the stream): random UUIDs.
      return req.headers.get(TOKEN_HEADER) || new URL(req.url, 'http://localhost/').searchParams.get('token') || randomUUID();
    },
    onSubscribe: (req, params) => stoppable((signal) => runThroughYoga(yoga, req.raw, params, signal)),
  });
  return {
    /** Requests of the single connection mode: a reservation, a stop, or anything carrying a stream token. */
    accepts(req: IncomingMessage): boolean {
      if (req.method === 'PUT' || req.method === 'DELETE' || req.headers[TOKEN_HEADER] !== undefined) return true;
      // Most requests (POSTs to /graphql) have no query string: no URL to parse.
      const url = req.url ?? '/';
      return url.includes('?') && new URL(url, 'http://localhost/').searchParams.has('token');
    },
    async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
      if (req.method === 'PUT' && !reservations.canReserve()) {
        const message = `too many single-connection SSE reservations wait for their stream (${reservations.size}); connect the ones you have`;
        res.writeHead(429, { 'content-type': 'application/json; charset=utf-8' });
        return void res.end(JSON.stringify({ errors: [{ message, extensions: { code: ErrorCode.LIMIT_EXCEEDED } }] }));
      }
      const [body, init] = await handler({
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: { get: (key) => headerOf(req, key) },
        body: () => readBody(req),
        raw: req,
        context: undefined,
      });
      res.writeHead(init.status, init.statusText, init.headers);
      if (req.method === 'PUT' && init.status === 201 && typeof body === 'string') reservations.reserved(body);
      if (!body || typeof body === 'string') return void res.end(body);
      const token = headerOf(req, TOKEN_HEADER) ?? new URL(req.url ?? '/', 'http://localhost/').searchParams.get('token');
      if (req.method === 'GET' && token) reservations.connected(token);
      const stop = () => void body.return(undefined);
      res.once('close', stop);
      for await (const chunk of body) {
        if (!res.writable) break;
        res.write(chunk);
      }
      res.off('close', stop);
      res.end();
    },
  };
}

/**
 * An async generator whose `return()` (the stream closed, or DELETE stopped the operation)
 * aborts it at once. A plain generator's `return()` waits until the generator reaches its
 * next `yield`, which a slow source query would delay until it finished.
 */
function stoppable(start: (signal: AbortSignal) => AsyncGenerator<ExecutionResult>): AsyncGenerator<ExecutionResult> {
  const abort = new AbortController();
  const inner = start(abort.signal);
  const stopped: AsyncGenerator<ExecutionResult> = {
    next: () => inner.next(),
    return: (value) => {
      abort.abort();
      return inner.return(value);
    },
    throw: (error) => {
      abort.abort();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => stopped,
  };
  return stopped;
}

async function* runThroughYoga(yoga: FetchesGraphQL, req: IncomingMessage, params: RequestParams, signal: AbortSignal): AsyncGenerator<ExecutionResult> {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'text/event-stream' });
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !OWN_HEADERS.has(name)) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  try {
    // The signal becomes the Yoga request's: aborting it ends the operation and cancels its source queries.
    const response = await yoga.fetch(`http://localhost${(req.url ?? '/graphql').split('?')[0]}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(params),
      signal,
    });
    // Refused before execution (401, 413, ...): Yoga answers with one JSON result.
    if (!(response.headers.get('content-type') ?? '').includes('text/event-stream') || !response.body) {
      yield (await response.json()) as ExecutionResult;
      return;
    }
    yield* readSseResults(response.body, signal);
  } catch (error) {
    if (!signal.aborted) throw error; // stopped: nobody is listening for the rest
  }
}

function headerOf(req: IncomingMessage, key: string): string | undefined {
  const value = req.headers[key.toLowerCase()];
  return Array.isArray(value) ? value.join('\n') : value;
}

/** The body limitBody has read (a stream of its chunks), or the request itself when it had none to read. */
async function readBody(req: IncomingMessage): Promise<string> {
  const source = (req as IncomingMessage & { body?: Readable }).body ?? req;
  let text = '';
  for await (const chunk of source) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  return text;
}
