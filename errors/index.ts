import { GraphQLError } from 'graphql';

/**
 * The one registry of error codes Tributary puts in `extensions.code`.
 * Codes are stable API: dashboards branch on them. Add, never rename.
 */
export const ErrorCode = {
  /** The request asked for something malformed or meaningless: the caller must change it. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** The request parsed but is over a configured bound (limit, IN-list size, nesting). */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** No valid credentials: missing, malformed, expired or badly signed token (HTTP 401). */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** The caller is not allowed to do this (admin mutations without the token). */
  FORBIDDEN: 'FORBIDDEN',
  /** A source could not be reached or rejected the connection. */
  SOURCE_UNAVAILABLE: 'SOURCE_UNAVAILABLE',
  /** A source query ran past its statement timeout, or the client went away. */
  SOURCE_TIMEOUT: 'SOURCE_TIMEOUT',
  /**
   * A source is healthy but every pooled connection stayed busy for its connectTimeout:
   * the gateway is saturated, not the source down. Retry later or raise the source's pool.
   */
  SOURCE_BUSY: 'SOURCE_BUSY',
  /** A source answered with an error that is not the caller's fault. */
  SOURCE_ERROR: 'SOURCE_ERROR',
  /** The configuration file is invalid; the message names the path and the fix. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** The HTTP request carries no usable GraphQL request (no query, bad JSON body). */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The GraphQL document does not parse. */
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  /** The GraphQL document does not validate against the schema. */
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  /** server.trustedDocuments is set and the operation is not one of them (by hash or by text). */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Anything unexpected; the message is masked before it reaches the client. */
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error meant for the client: its message is safe to show and it carries a code.
 * Anything thrown that is not a TributaryError (or another GraphQLError) is masked.
 */
export class TributaryError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { extensions: { ...extensions, code }, originalError: cause instanceof Error ? cause : undefined });
    this.name = 'TributaryError';
    this.code = code;
  }
}

export function badInput(message: string, extensions?: Record<string, unknown>): TributaryError {
  return new TributaryError(ErrorCode.BAD_USER_INPUT, message, extensions);
}

export function limitExceeded(message: string, extensions?: Record<string, unknown>): TributaryError {
  return new TributaryError(ErrorCode.LIMIT_EXCEEDED, message, extensions);
}

/** A configuration error. `path` is dotted (`datasets.sales.measures.revenue`). */
export class ConfigError extends Error {
  readonly code = ErrorCode.CONFIG_INVALID;
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${path}: ${problem}` : problem);
    this.name = 'ConfigError';
  }
}

/** Several config problems reported at once, one line each. */
export class ConfigErrors extends Error {
  readonly code = ErrorCode.CONFIG_INVALID;
  constructor(readonly errors: readonly ConfigError[]) {
    super(`invalid configuration:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
    this.name = 'ConfigErrors';
  }
}
