import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ErrorCode } from '../errors/index.ts';
import { AuthFailure, type Access } from '../security/index.ts';
import { explainQuery, printExplained } from './explainQuery.ts';
import type { Gateway } from './gateway.ts';
import { limitBody } from './limitBody.ts';
import { logger } from './logger.ts';
import { resolveTrustedDocument } from './trustedDocuments.ts';

/** One plan of `POST /explain`'s answer: `text` is what `tributary explain` prints. */
export interface ExplainedPlanJson {
  readonly field: string;
  readonly role: string;
  readonly member?: string;
  readonly key: string;
  readonly coreKey: string;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly cache: string;
  readonly text: string;
}

/**
 * `POST /explain` with a GraphQL request body (`{ "query": ..., "variables": ... }`): the
 * plans, keys and SQL the request would run, from the running server's own cache and
 * sources, without running it. This is how `tributary explain --url` works beside a running
 * server, whose embedded database no second process may open (sources/dataDirLock.ts).
 *
 * It is no admin endpoint: the caller is who their token says, as on /graphql (401 without
 * a valid one when auth is on), and explain shows their role's schema and row policy only;
 * the SQL is what `meta.sources` already shows them. The body, nesting and token limits and
 * the trusted documents hold as on /graphql.
 */
export function serveExplain(gateway: Gateway, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'POST') return reply(res, 405, { errors: [coded(ErrorCode.BAD_REQUEST, 'POST a GraphQL request: { "query": "...", "variables": {...} }')] });
  limitBody(req, res, gateway.config.server.limits.maxBodyBytes, () => void explain(gateway, req, res));
}

async function explain(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  try {
    let access: Access | undefined;
    if (gateway.authenticate) {
      try {
        access = await gateway.authenticate(req.headers.authorization);
      } catch (error) {
        if (error instanceof AuthFailure) return reply(res, 401, { errors: [coded(ErrorCode.UNAUTHENTICATED, error.message)] });
        throw error;
      }
    }
    const body = await readBody(req);
    let request: { query?: unknown; variables?: unknown; extensions?: unknown };
    try {
      request = JSON.parse(body) as typeof request;
    } catch {
      return reply(res, 400, { errors: [coded(ErrorCode.BAD_REQUEST, 'the body is not JSON: expected { "query": "...", "variables": {...} }')] });
    }
    const variables = request.variables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) {
      return reply(res, 400, { errors: [coded(ErrorCode.BAD_REQUEST, 'variables must be a JSON object')] });
    }
    const trusted = resolveTrustedDocument({ gateway, requestId }, { query: typeof request.query === 'string' ? request.query : null, extensions: request.extensions });
    if ('errors' in trusted) return reply(res, 400, { errors: trusted.errors.map((e) => e.toJSON()) });
    if (!trusted.query) return reply(res, 400, { errors: [coded(ErrorCode.BAD_REQUEST, 'expected a query: { "query": "...", "variables": {...} }')] });
    const { plans, errors } = await explainQuery(gateway, trusted.query, variables as Record<string, unknown>, access);
    const json: ExplainedPlanJson[] = plans.map((p) => ({
      field: p.field,
      role: p.role,
      ...(p.member === undefined ? {} : { member: p.member }),
      key: p.key,
      coreKey: p.coreKey,
      sql: p.sql,
      params: p.params,
      cache: p.cache,
      text: printExplained(p),
    }));
    // Coded errors, and graphql-js's own (syntax, validation, coercion: no original error), are the
    // caller's to read; anything else is logged and masked, as on /graphql.
    const shown = errors.map((e) =>
      e.extensions?.code ? e.toJSON()
      : e.originalError ? masked(e.originalError, requestId)
      : { ...e.toJSON(), extensions: { ...e.extensions, code: ErrorCode.BAD_USER_INPUT } },
    );
    reply(res, 200, shown.length > 0 ? { plans: json, errors: shown } : { plans: json });
  } catch (error) {
    reply(res, 500, { errors: [masked(error, requestId)] });
  }
}

function masked(error: unknown, requestId: string) {
  logger.error({ err: error, requestId }, 'unexpected error while explaining a request');
  return coded(ErrorCode.INTERNAL, 'Unexpected error.', { requestId });
}

function coded(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return { message, extensions: { ...extensions, code } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  // limitBody has read the body and re-attached it as a stream of its chunks.
  const chunks: Buffer[] = [];
  for await (const chunk of (req as IncomingMessage & { body?: Readable }).body ?? req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

