import { ErrorCode, TributaryError } from '../errors/index.ts';

/** Node socket errors and Postgres SQLSTATE classes that mean "cannot reach the source". */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);
const UNAVAILABLE_SQLSTATE = /^(08|28|3D|57P0[1-3]|53)/;

/**
 * Thrown by a pool whose every connection stayed checked out by running queries for the
 * whole wait: the source answers, the gateway is saturated. Not a driver error, so its
 * message is ours and safe for clients.
 */
export class PoolBusyError extends Error {
  constructor(readonly waitedMs: number) {
    super(`no connection free within ${waitedMs} ms`);
    this.name = 'PoolBusyError';
  }
}

/** Translates a driver error into the registry. `timeoutMs` is the source's statement timeout. */
export function sourceError(source: string, error: unknown, context: { timeoutMs: number; aborted: boolean }): TributaryError {
  if (error instanceof TributaryError) return error;
  if (error instanceof PoolBusyError) {
    return new TributaryError(ErrorCode.SOURCE_BUSY, `source ${source} is busy: ${error.message}`, { source }, error);
  }
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  if (context.aborted) {
    return new TributaryError(ErrorCode.SOURCE_TIMEOUT, `source ${source}: query cancelled because the request was aborted`, { source }, error);
  }
  if (e?.code === '57014') {
    return new TributaryError(
      ErrorCode.SOURCE_TIMEOUT,
      `source ${source}: query ran past the statement timeout of ${context.timeoutMs} ms`,
      { source },
      error,
    );
  }
  if ((e?.code && (UNAVAILABLE_ERRNO.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) || /connect|terminat|Connection/i.test(message)) {
    return new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `source ${source} is unavailable: ${message}`, { source }, error);
  }
  return new TributaryError(ErrorCode.SOURCE_ERROR, `source ${source} rejected the query: ${message}`, { source, sqlState: e?.code }, error);
}
