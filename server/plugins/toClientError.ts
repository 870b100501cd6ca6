import { GraphQLError } from 'graphql';
import { ErrorCode, TributaryError } from '../../errors/index.ts';
import type { Config } from '../../schema/index.ts';
import { logger } from '../logger.ts';

const SOURCE_CODES: ReadonlySet<string> = new Set([ErrorCode.SOURCE_UNAVAILABLE, ErrorCode.SOURCE_TIMEOUT, ErrorCode.SOURCE_ERROR, ErrorCode.SOURCE_BUSY]);

/** What the client sees for an error nobody meant it to see (the same text Yoga masks with). */
const UNEXPECTED_MESSAGE = 'Unexpected error.';

/**
 * Turns one error of a response into what the client may see, and logs it under the
 * request's id, which the client error carries as `extensions.requestId`:
 *
 * - source failures (SOURCE_*) get a stable message built from the code and the configured
 *   source name only; the driver's text (host, port, database, role, relation) and its
 *   fields (`sqlState`) go to the log, never to the client;
 * - errors Tributary or graphql-js made for the client keep their message and are logged at
 *   info without a stack: a client mistake is not a server fault;
 * - anything else is unexpected: logged at error with its stack, masked for the client.
 */
export function toClientError(error: GraphQLError, requestId: string, config: Config): GraphQLError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : undefined;
  if (code && SOURCE_CODES.has(code)) return sourceFailure(error, code, requestId, config);
  if (isMadeForClient(error)) {
    // The message is the caller's own doing; a stack would only say where we noticed it.
    logger.info({ requestId, code, path: error.path, error: error.message }, 'request refused: client error');
    return rebuild(error, error.message, { ...error.extensions, requestId });
  }
  logger.error({ requestId, path: error.path, err: error.originalError ?? error }, 'unexpected error while serving a request');
  return rebuild(error, UNEXPECTED_MESSAGE, { code: ErrorCode.INTERNAL, requestId, unexpected: true });
}

function sourceFailure(error: GraphQLError, code: string, requestId: string, config: Config): GraphQLError {
  const source = String(error.extensions.source ?? 'unknown');
  const cause = error.originalError instanceof TributaryError ? (error.originalError.originalError ?? error.originalError) : (error.originalError ?? error);
  const message = stableSourceMessage(code, source, config);
  // warn, not error: the gateway did its part; a source being down is an operations matter.
  logger.warn({ requestId, code, source, path: error.path, err: cause }, message);
  return rebuild(error, message, { code, source, requestId });
}

/** One message per code and source: nothing in it comes from the driver. */
function stableSourceMessage(code: string, source: string, config: Config): string {
  if (code === ErrorCode.SOURCE_UNAVAILABLE) return `source ${source} is unavailable`;
  if (code === ErrorCode.SOURCE_ERROR) return `source ${source} could not run the query`;
  if (code === ErrorCode.SOURCE_BUSY) {
    const sourceConfig = config.sources[source];
    const waitMs = sourceConfig?.kind === 'postgres' ? sourceConfig.connectTimeoutMs : undefined;
    return waitMs === undefined ? `source ${source} is busy: no connection came free in time` : `source ${source} is busy: no connection free within ${waitMs} ms`;
  }
  // The timeout is the operator's setting, not driver text; it tells the client why.
  const timeoutMs = config.sources[source]?.statementTimeoutMs;
  return timeoutMs === undefined ? `source ${source} did not answer in time` : `source ${source}: query ran past the statement timeout of ${timeoutMs} ms`;
}

/**
 * True when the error and everything it wraps was made as a GraphQL error (by graphql-js
 * or by Tributary, for the client). A TributaryError of a non-source code is meant for
 * the client whatever its cause: its message is ours.
 */
function isMadeForClient(error: GraphQLError): boolean {
  if (error instanceof TributaryError || error.originalError instanceof TributaryError) return true;
  if (error.extensions?.code === ErrorCode.INTERNAL) return false;
  for (let e: Error | null | undefined = error; e; e = (e as GraphQLError).originalError) {
    if (!(e instanceof GraphQLError)) return false;
  }
  return true;
}

/** The client's copy: where it happened, what it says; no cause (it was logged, or is the message). */
function rebuild(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}
