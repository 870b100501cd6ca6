/**
 * One statement over Trino's client protocol (https://trino.io/docs/476/develop/client-protocol.html):
 * POST /v1/statement, then GET each `nextUri` until there is none; every page may carry
 * rows and always carries the query's stats. DELETE on the current `nextUri` cancels it.
 *
 * Written on fetch rather than trino-client 0.2.9: that client's iterator follows the
 * pages without rows by itself (so a caller never sees the stats of a running query) and
 * takes no AbortSignal (so a request that went away cannot stop it between pages).
 */

import type { SourceProgress } from './Source.ts';

export interface TrinoConnection {
  /** Base URL, `http://host:port`, no trailing slash. */
  readonly url: string;
  /** Headers of every request: user, source, catalog, schema, time zone, authorization. */
  readonly headers: Readonly<Record<string, string>>;
}

/** The stats of a running or finished query, as each page reports them (percent: once Trino has scheduled splits). */
export type TrinoProgress = SourceProgress;

export interface StatementOptions {
  readonly signal?: AbortSignal;
  /** Read at most this many rows, then cancel the rest (the statement is sent as it is). */
  readonly maxRows?: number;
  readonly onProgress?: (progress: TrinoProgress) => void;
}

/** A failure Trino reported for the query (`error` of a page). */
export class TrinoQueryError extends Error {
  constructor(
    message: string,
    readonly errorName: string,
    readonly errorType: string,
  ) {
    super(message);
    this.name = 'TrinoQueryError';
  }
}

/** An HTTP status other than 200 on a protocol request (Trino down behind a proxy, bad credentials). */
export class TrinoHttpError extends Error {
  constructor(readonly status: number) {
    super(`Trino answered HTTP ${status}`);
    this.name = 'TrinoHttpError';
  }
}

/** Result columns as Trino names and types them (`bigint`, `varchar(25)`). */
export type TrinoColumns = readonly { readonly name: string; readonly type: string }[];

export interface TrinoResult {
  readonly columns: TrinoColumns;
  readonly rows: readonly unknown[][];
}

interface Page {
  readonly id: string;
  readonly columns?: TrinoColumns;
  readonly nextUri?: string;
  readonly data?: unknown[][];
  readonly error?: { readonly message: string; readonly errorName: string; readonly errorType: string };
  readonly stats?: {
    readonly state: string;
    readonly completedSplits: number;
    readonly totalSplits: number;
    readonly processedRows: number;
    readonly elapsedTimeMillis: number;
    readonly progressPercentage?: number;
  };
}

/** Status codes after which the protocol says: wait a little and GET the same nextUri again. */
const RETRY_STATUS = new Set([502, 503, 504]);

/**
 * Runs `statement` and resolves with its columns and rows (arrays in column order). On abort, the
 * query is cancelled at Trino (DELETE nextUri, awaited) and the abort's reason is thrown.
 */
export async function runTrinoStatement(connection: TrinoConnection, statement: string, options: StatementOptions = {}): Promise<TrinoResult> {
  const { signal, maxRows, onProgress } = options;
  signal?.throwIfAborted();
  let page = await request<Page>(connection, `${connection.url}/v1/statement`, { method: 'POST', body: statement }, signal);
  const rows: unknown[][] = [];
  let columns: TrinoColumns = [];
  try {
    for (;;) {
      if (page.error) throw new TrinoQueryError(page.error.message, page.error.errorName, page.error.errorType);
      if (page.stats) onProgress?.(progressOf(page));
      columns = page.columns ?? columns;
      for (const row of page.data ?? []) {
        if (maxRows !== undefined && rows.length >= maxRows) {
          await cancel(connection, page.nextUri);
          return { columns, rows };
        }
        rows.push(row);
      }
      if (!page.nextUri) return { columns, rows };
      page = await request<Page>(connection, page.nextUri, { method: 'GET' }, signal);
    }
  } catch (error) {
    // Stop the query however we got here (abort, network error between pages); a query
    // that already finished or failed has no nextUri and needs nothing.
    await cancel(connection, page.nextUri);
    throw error;
  }
}

function progressOf(page: Page): TrinoProgress {
  const s = page.stats!;
  return {
    queryId: page.id,
    state: s.state,
    completedSplits: s.completedSplits,
    totalSplits: s.totalSplits,
    processedRows: s.processedRows,
    elapsedMs: s.elapsedTimeMillis,
    percent: typeof s.progressPercentage === 'number' ? s.progressPercentage : null,
  };
}

/** DELETE nextUri, bounded by 5 s; a failure to cancel is not the caller's error. */
async function cancel(connection: TrinoConnection, nextUri: string | undefined): Promise<void> {
  if (!nextUri) return;
  await fetch(nextUri, { method: 'DELETE', headers: connection.headers, signal: AbortSignal.timeout(5_000) })
    .then((response) => response.body?.cancel())
    .catch(() => {});
}

async function request<T>(connection: TrinoConnection, url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url, { ...init, headers: connection.headers, ...(signal ? { signal } : {}) });
    if (response.status === 200) return (await response.json()) as T;
    await response.body?.cancel();
    if (!RETRY_STATUS.has(response.status) || attempt >= 20) throw new TrinoHttpError(response.status);
    await new Promise((resolve) => setTimeout(resolve, 50 * (attempt + 1)));
    signal?.throwIfAborted();
  }
}
