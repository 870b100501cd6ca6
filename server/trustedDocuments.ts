import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { ConfigError, ConfigErrors, ErrorCode, TributaryError } from '../errors/index.ts';
import type { Config } from '../schema/index.ts';
import { logger } from './logger.ts';

/** sha256 hex (lowercase) → document text: the only operations the gateway runs. */
export type TrustedDocuments = ReadonlyMap<string, string>;

/** What an operation asks for: a document text, an Apollo-style persisted-query hash, or both. */
export interface OperationParams {
  readonly query?: string | null;
  readonly extensions?: unknown;
}

const AT = 'server.trustedDocuments';
const FORMAT = 'expected a JSON object of sha256 hex hash → document text ({ "<64 hex digits>": "query { ... }" }) or a JSON array of document texts';
const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const loaded = new WeakMap<Config, TrustedDocuments | null>();

/**
 * The trusted documents of a config, or null when `server.trustedDocuments` is not set.
 * The file is read on the first call (at start, by useTrustedDocuments) and kept: editing
 * it takes a restart. Throws ConfigErrors naming every problem in the file.
 */
export function trustedDocumentsFor(config: Config): TrustedDocuments | null {
  let documents = loaded.get(config);
  if (documents === undefined) {
    const file = config.server.trustedDocuments;
    documents = file === undefined ? null : loadTrustedDocuments(file);
    loaded.set(config, documents);
  }
  return documents;
}

/**
 * Reads a trusted-documents file. An object's keys must be the sha256 of their document
 * (what GraphQL Codegen's persisted documents and Apollo's hashes are); an array's texts
 * are hashed here. Every document must parse, and there must be at least one.
 */
export function loadTrustedDocuments(file: string): TrustedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigErrors([new ConfigError(AT, `cannot read ${file} as JSON (${(error as Error).message}); ${FORMAT}`)]);
  }
  const listed = Array.isArray(json);
  // [where in the file, the hash it is known by, the text]
  const entries: [string, string, unknown][] = Array.isArray(json)
    ? json.map((text: unknown, i: number): [string, string, unknown] => [`[${i}]`, typeof text === 'string' ? sha256Hex(text) : '', text])
    : json !== null && typeof json === 'object'
      ? Object.entries(json).map(([key, text]) => [JSON.stringify(key), key.toLowerCase(), text])
      : [];
  if (entries.length === 0) {
    const got = listed ? 'an empty array' : json !== null && typeof json === 'object' ? 'an empty object' : json === null ? 'null' : typeof json;
    throw new ConfigErrors([new ConfigError(AT, `${file} lists no documents: ${FORMAT}, got ${got}; list at least one operation, or remove ${AT} to accept any`)]);
  }
  const documents = new Map<string, string>();
  const problems: ConfigError[] = [];
  for (const [where, key, text] of entries) {
    const problem = documentProblem(key, text, listed);
    if (problem) problems.push(new ConfigError(`${AT} (${file}) ${where}`, problem));
    else documents.set(key, text as string);
  }
  if (problems.length > 0) throw new ConfigErrors(problems);
  return documents;
}

function documentProblem(key: string, text: unknown, listed: boolean): string | null {
  if (typeof text !== 'string' || text.trim() === '') return `expected a GraphQL document text, got ${typeof text === 'string' ? 'an empty string' : JSON.stringify(text)}`;
  if (!listed && !SHA256_HEX.test(key)) return `expected the sha256 of the document as the key (64 hex digits), got a key of ${key.length} characters`;
  const hash = sha256Hex(text);
  if (!listed && hash !== key) return `the document's sha256 is ${hash}, not its key; the key must be the sha256 of the exact text`;
  try {
    parse(text);
  } catch (error) {
    return `the document does not parse: ${(error as Error).message}`;
  }
  return null;
}

/** extensions.persistedQuery.sha256Hash of an Apollo-style request (version 1), if any. */
export function persistedQueryHash(params: OperationParams): string | null {
  const pq = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
  return pq?.version === 1 && typeof pq.sha256Hash === 'string' ? pq.sha256Hash.toLowerCase() : null;
}

/**
 * The document an operation may run, or why not. By hash: the listed document (a text sent
 * along must be that same document). By text alone: the text, if its sha256 is listed.
 * Neither: refused. One function, so HTTP and graphql-ws decide alike.
 */
export function trustedQuery(documents: TrustedDocuments, params: OperationParams, requestId?: string): { query: string } | { error: TributaryError } {
  const hash = persistedQueryHash(params);
  const text = typeof params.query === 'string' && params.query !== '' ? params.query : null;
  if (hash !== null) {
    const listed = documents.get(hash);
    if (listed === undefined) return refuse(ErrorCode.PERSISTED_QUERY_NOT_FOUND, `persisted query ${hash} is not a trusted document: this gateway runs only the operations listed in ${AT}`, requestId);
    if (text !== null && text !== listed) return refuse(ErrorCode.BAD_REQUEST, `the query sent is not the document of extensions.persistedQuery.sha256Hash ${hash}: its sha256 is ${sha256Hex(text)}; send the hash alone, or the listed text`, requestId);
    return { query: listed };
  }
  if (text === null) return refuse(ErrorCode.BAD_REQUEST, `expected a query, or extensions.persistedQuery { version: 1, sha256Hash } naming a trusted document; got neither`, requestId);
  const textHash = sha256Hex(text);
  if (!documents.has(textHash)) return refuse(ErrorCode.PERSISTED_QUERY_NOT_FOUND, `this operation is not a trusted document (its sha256 is ${textHash}): this gateway runs only the operations listed in ${AT}`, requestId);
  return { query: text };
}

function refuse(code: ErrorCode, message: string, requestId: string | undefined): { error: TributaryError } {
  // A refusal is the client's mistake (or a probe): info, no stack, like any client error.
  logger.info({ requestId, code, error: message }, 'request refused: not a trusted document');
  return { error: new TributaryError(code, message, requestId === undefined ? {} : { requestId }) };
}

/**
 * graphql-ws's side of trusted documents (HTTP's is useTrustedDocuments): the query text the
 * operation may run, or the errors that refuse it. Without `server.trustedDocuments`, the
 * payload's own query.
 */
export function resolveTrustedDocument(context: { readonly gateway: { readonly config: Config }; readonly requestId: string }, payload: OperationParams): { query: string } | { errors: TributaryError[] } {
  const documents = trustedDocumentsFor(context.gateway.config);
  if (documents === null) return { query: payload.query ?? '' };
  const trusted = trustedQuery(documents, payload, context.requestId);
  return 'error' in trusted ? { errors: [trusted.error] } : trusted;
}
