/**
 * Clients that carry credentials, for access-control suites: HTTP POST and SSE with an
 * `Authorization` header, a raw graphql-ws (graphql-transport-ws) socket that reports the
 * close code, and window-recording subscriptions over graphql-ws (token in the
 * connection_init payload) and SSE (token in the header).
 */
import WebSocket from 'ws';
import { subscribeSse, subscribeWs, type StreamRecording } from './streamClients.ts';

export interface GraphQLBody {
  data?: any;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/** `token` is a JWT sent as "Bearer <token>"; `{ header }` sends that Authorization header as is; undefined sends none. */
export type Credentials = string | { readonly header: string } | undefined;

export function authorizationOf(credentials: Credentials): string | undefined {
  if (credentials === undefined) return undefined;
  return typeof credentials === 'string' ? `Bearer ${credentials}` : credentials.header;
}

function headersOf(credentials: Credentials, accept: string): Record<string, string> {
  const authorization = authorizationOf(credentials);
  return { 'content-type': 'application/json', accept, ...(authorization === undefined ? {} : { authorization }) };
}

/** POSTs a GraphQL request; returns the status, the raw text and the parsed body (null when not JSON). */
export async function postAs(url: string, credentials: Credentials, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; text: string; body: GraphQLBody | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: headersOf(credentials, 'application/graphql-response+json, application/json'),
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: GraphQLBody | null = null;
  try {
    body = JSON.parse(text) as GraphQLBody;
  } catch {
    body = null;
  }
  return { status: response.status, text, body };
}

/** A query over SSE (accept: text/event-stream), read to its end: the status, content type, raw text and `next` payloads. */
export async function sseQueryAs(url: string, credentials: Credentials, query: string): Promise<{ status: number; contentType: string; text: string; next: GraphQLBody[] }> {
  const response = await fetch(url, { method: 'POST', headers: headersOf(credentials, 'text/event-stream'), body: JSON.stringify({ query }), signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  const next: GraphQLBody[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/);
    const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
    const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
    if (event === 'next' && data) next.push(JSON.parse(data) as GraphQLBody);
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, next };
}

export interface WsOutcome {
  /** The close code the server sent (1000 when this client closed after `complete`). */
  readonly code: number;
  readonly reason: string;
  /** Every message the server sent, parsed. */
  readonly messages: { type: string; id?: string; payload?: any }[];
}

/**
 * A raw graphql-transport-ws session: connection_init with `payload`, then (once acked)
 * one subscribe of `query`; ends when the server closes the socket, or after `complete`
 * (this side then closes with 1000). `subscribeFirst` sends the subscribe before init.
 */
export function wsSession(httpUrl: string, payload: Record<string, unknown> | undefined, query: string, options: { subscribeFirst?: boolean; timeoutMs?: number } = {}): Promise<WsOutcome> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const messages: WsOutcome['messages'] = [];
  const subscribe = () => socket.send(JSON.stringify({ type: 'subscribe', id: '1', payload: { query } }));
  return new Promise<WsOutcome>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`graphql-ws session did not end within ${options.timeoutMs ?? 10_000} ms; messages ${JSON.stringify(messages)}`));
    }, options.timeoutMs ?? 10_000);
    socket.on('open', () => {
      if (options.subscribeFirst) return subscribe();
      socket.send(JSON.stringify(payload === undefined ? { type: 'connection_init' } : { type: 'connection_init', payload }));
    });
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as WsOutcome['messages'][number];
      messages.push(message);
      if (message.type === 'connection_ack') subscribe();
      if (message.type === 'complete' || message.type === 'error') socket.close(1000);
    });
    socket.on('close', (code, reason) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString(), messages });
    });
    socket.on('error', () => {}); // the close event follows and reports the code
  });
}

/** Subscribes over graphql-ws with `{ authorization }` in the connection_init payload, recording window versions. */
export function subscribeWsAs(httpUrl: string, credentials: Credentials, field: string, query: string): StreamRecording & { closeCode: () => number | null } {
  let closeCode: number | null = null;
  const authorization = authorizationOf(credentials);
  const recording = subscribeWs(httpUrl, field, { query }, {
    connectionParams: authorization === undefined ? undefined : { authorization },
    onClosed: (code) => void (closeCode = code),
  });
  return { ...recording, closeCode: () => closeCode };
}

/** Subscribes over SSE with the Authorization header, recording window versions. */
export function subscribeSseAs(httpUrl: string, credentials: Credentials, field: string, query: string): StreamRecording {
  const authorization = authorizationOf(credentials);
  return subscribeSse(httpUrl, field, { query }, authorization === undefined ? {} : { authorization });
}
