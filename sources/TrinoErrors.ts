import { ErrorCode, TributaryError } from '../errors/index.ts';
import { TrinoHttpError, TrinoQueryError } from './TrinoProtocol.ts';

/** Trino error names that mean the cluster cannot take queries now, not that the query is wrong. */
const UNAVAILABLE_NAMES = new Set(['SERVER_STARTING_UP', 'SERVER_SHUTTING_DOWN', 'NO_NODES_AVAILABLE', 'REMOTE_HOST_GONE', 'TOO_MANY_REQUESTS_FAILED', 'PAGE_TRANSPORT_TIMEOUT']);
const TIMEOUT_NAMES = new Set(['EXCEEDED_TIME_LIMIT', 'EXCEEDED_CPU_LIMIT']);

/**
 * Translates a failure of a Trino statement into the registry: SOURCE_UNAVAILABLE when the
 * server cannot be reached or cannot take queries, SOURCE_TIMEOUT past the statement
 * timeout or when the request was aborted, SOURCE_BUSY when Trino ran out of memory or
 * queue slots, SOURCE_ERROR otherwise. The message keeps Trino's text for the log; clients
 * see a fixed message per code (server/plugins/toClientError.ts).
 */
export function trinoSourceError(source: string, error: unknown, context: { readonly timeoutMs: number; readonly aborted: boolean; readonly timedOut: boolean }): TributaryError {
  if (error instanceof TributaryError) return error;
  const message = (error as Error)?.message ?? String(error);
  if (context.timedOut) {
    return new TributaryError(ErrorCode.SOURCE_TIMEOUT, `source ${source}: query ran past the statement timeout of ${context.timeoutMs} ms`, { source }, error);
  }
  if (context.aborted) {
    return new TributaryError(ErrorCode.SOURCE_TIMEOUT, `source ${source}: query cancelled because the request was aborted`, { source }, error);
  }
  if (error instanceof TrinoQueryError) {
    if (UNAVAILABLE_NAMES.has(error.errorName)) {
      return new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `source ${source} is unavailable: ${error.errorName}: ${message}`, { source }, error);
    }
    if (TIMEOUT_NAMES.has(error.errorName)) {
      return new TributaryError(ErrorCode.SOURCE_TIMEOUT, `source ${source}: ${error.errorName}: ${message}`, { source }, error);
    }
    if (error.errorType === 'INSUFFICIENT_RESOURCES') {
      return new TributaryError(ErrorCode.SOURCE_BUSY, `source ${source} is busy: ${error.errorName}: ${message}`, { source }, error);
    }
    return new TributaryError(ErrorCode.SOURCE_ERROR, `source ${source} rejected the query: ${error.errorName}: ${message}`, { source, trinoError: error.errorName }, error);
  }
  if (error instanceof TrinoHttpError && (error.status === 401 || error.status === 403)) {
    return new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `source ${source} refused the credentials (HTTP ${error.status})`, { source }, error);
  }
  // fetch failed (refused, reset, DNS), a 5xx from a proxy, a body that is not JSON: the
  // server cannot be used right now.
  return new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `source ${source} is unavailable: ${describeCause(error)}`, { source }, error);
}

function describeCause(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}
