/**
 * Real subscription clients for stream suites: graphql-ws (the `graphql-ws` client over
 * `ws`) and SSE (fetch with `accept: text/event-stream`, the event stream parsed here).
 * Each records every window version it receives, in order.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { formatInstant } from '../../planner/index.ts';
import { expectSameRows } from './rowDifference.ts';
import { waitFor } from './waitFor.ts';
import type { ReferenceWindow, Row } from './referenceWindows.ts';

export interface WindowVersion {
  readonly start: string;
  readonly end: string;
  readonly final: boolean;
  readonly revision: number;
  readonly rows: Row[];
}

export interface StreamRecording {
  /** Window versions in arrival order. */
  readonly versions: WindowVersion[];
  /** GraphQL errors or transport failures; a healthy subscription has none. */
  readonly errors: unknown[];
  readonly finals: () => WindowVersion[];
  close(): Promise<void>;
}

interface Request {
  readonly query: string;
  readonly variables?: Record<string, unknown>;
}

/**
 * Subscribes over graphql-ws (subprotocol graphql-transport-ws) on the gateway's /graphql.
 * `connectionParams` is the connection_init payload (a token goes there); `onClosed` hears
 * the close code the server sent.
 */
export function subscribeWs(
  httpUrl: string,
  field: string,
  request: Request,
  options: { readonly connectionParams?: Record<string, unknown>; readonly onClosed?: (code: number | null) => void } = {},
): StreamRecording {
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: options.connectionParams,
    on: { closed: (event) => options.onClosed?.((event as { code?: number }).code ?? null) },
  });
  const recording = newRecording();
  const unsubscribe = client.subscribe(request, {
    next: (result) => recordResult(recording, field, result),
    error: (error) => recording.errors.push(error),
    complete: () => {},
  });
  return {
    ...recording,
    close: async () => {
      unsubscribe();
      await client.dispose();
    },
  };
}

/**
 * Subscribes over SSE: POST /graphql with accept: text/event-stream; `event: next` carries
 * a result. `headers` are added to the request (an Authorization header goes there).
 */
export function subscribeSse(httpUrl: string, field: string, request: Request, headers: Record<string, string> = {}): StreamRecording {
  const recording = newRecording();
  const abort = new AbortController();
  const reading = (async () => {
    const response = await fetch(httpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
      body: JSON.stringify(request),
      signal: abort.signal,
    });
    if (!response.ok || !response.headers.get('content-type')?.startsWith('text/event-stream')) {
      throw new Error(`SSE: HTTP ${response.status} ${response.headers.get('content-type')}: ${await response.text()}`);
    }
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += read.value;
      for (let end = buffer.search(/\r?\n\r?\n/); end >= 0; end = buffer.search(/\r?\n\r?\n/)) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const lines = block.split(/\r?\n/);
        const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
        const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (event === 'next' && data) recordResult(recording, field, JSON.parse(data));
      }
    }
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) recording.errors.push(error);
  });
  return {
    ...recording,
    close: async () => {
      abort.abort();
      await reading;
    },
  };
}

function newRecording() {
  const versions: WindowVersion[] = [];
  return { versions, errors: [] as unknown[], finals: () => versions.filter((v) => v.final) };
}

function recordResult(recording: { versions: WindowVersion[]; errors: unknown[] }, field: string, result: { data?: unknown; errors?: unknown }): void {
  if (result.errors) recording.errors.push(result.errors);
  const version = (result.data as Record<string, WindowVersion> | null | undefined)?.[field];
  if (version) recording.versions.push(version);
}

/** Waits until `r` has `n` final versions (or an error); a timeout says how many came. */
export async function waitForFinals(r: StreamRecording, n: number, label: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${n} final windows (${label})`, () => r.errors.length > 0 || r.finals().length >= n, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}: got ${r.finals().length} finals in ${r.versions.length} versions`);
  });
}

/** Final versions equal the reference exactly: same windows in the same (closing) order, same rows. */
export function expectFinals(got: readonly WindowVersion[], want: readonly ReferenceWindow[], label: string, sortRows?: (a: Row, b: Row) => number): void {
  const print = (w: { start: string | number; end: string | number }) => `[${iso(w.start)}, ${iso(w.end)})`;
  const gotBounds = got.map(print).join(' ');
  const wantBounds = want.map(print).join(' ');
  if (gotBounds !== wantBounds) throw new Error(`${label}: final windows differ\n got  ${gotBounds}\n want ${wantBounds}`);
  got.forEach((g, i) => {
    if (!g.final) throw new Error(`${label}: window ${print(g)} is not final`);
    const rows = sortRows ? [...g.rows].sort(sortRows) : g.rows;
    expectSameRows(rows, want[i]!.rows, `${label}: rows of window ${print(g)}`);
  });
}

/**
 * CHANGES: per window, non-final versions with strictly increasing revisions, then exactly
 * one final whose revision is at least the last one, and orders that never decrease.
 */
export function expectChangesConsistent(versions: readonly WindowVersion[], label: string): void {
  const byWindow = new Map<string, WindowVersion[]>();
  for (const v of versions) byWindow.set(`${v.start}/${v.end}`, [...(byWindow.get(`${v.start}/${v.end}`) ?? []), v]);
  for (const [key, list] of byWindow) {
    const finals = list.filter((v) => v.final);
    if (finals.length > 1 || (finals.length === 1 && !list.at(-1)!.final)) throw new Error(`${label}: window ${key} has ${finals.length} finals or versions after its final`);
    const orders = list.map((v) => v.rows.reduce((n, r) => n + Number(r.orders), 0));
    for (let i = 1; i < list.length; i++) {
      const [prev, cur] = [list[i - 1]!, list[i]!];
      const increasing = cur.final ? cur.revision >= prev.revision : cur.revision > prev.revision;
      if (!increasing) throw new Error(`${label}: window ${key} revision ${prev.revision} then ${cur.revision}${cur.final ? ' (final)' : ''}`);
      if (orders[i]! < orders[i - 1]!) throw new Error(`${label}: window ${key} orders went from ${orders[i - 1]} to ${orders[i]}`);
    }
  }
}

/** Window bounds as the gateway prints them (ISO-8601 with the offset; these streams are in UTC). */
function iso(t: string | number): string {
  return typeof t === 'number' ? formatInstant(t, 'UTC') : t;
}
