import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { OnParamsEventPayload, Plugin } from 'graphql-yoga';
import type { TributaryError } from '../../errors/index.ts';
import type { Config } from '../../schema/index.ts';
import { trustedDocumentsFor, trustedQuery, type OperationParams, type TrustedDocuments } from '../trustedDocuments.ts';

/**
 * `server.trustedDocuments` over HTTP and SSE: only the listed operations run. A client
 * names one by Apollo-style hash (`extensions: { persistedQuery: { version: 1, sha256Hash } }`,
 * resolved by Yoga's persisted-operations plugin) or sends its full text, whose sha256 must
 * be listed. Anything else is refused in onParams, before parsing and before any source
 * query. graphql-ws applies the same rule through resolveTrustedDocument (attachGraphqlWs).
 *
 * No plugins without the setting. The file is read here, at start: a bad file stops the
 * server with a ConfigErrors naming `server.trustedDocuments`.
 */
export function useTrustedDocuments(config: Config): Plugin[] {
  const documents = trustedDocumentsFor(config);
  if (documents === null) return [];
  return [
    {
      // Full texts (and a text sent with a hash) are decided here; hash-only requests go on
      // to the persisted-operations plugin, which looks the document up.
      onParams(payload) {
        if (!payload.params.query) return;
        const trusted = trustedQuery(documents, payload.params, requestIdOf(payload));
        if ('error' in trusted) throw httpRefusal(trusted.error);
      },
    },
    usePersistedOperations({
      getPersistedOperation: (hash) => documents.get(hash.toLowerCase()) ?? null,
      // Texts reaching the plugin were checked above.
      allowArbitraryOperations: true,
      customErrors: {
        notFound: (payload) => refusal(documents, payload),
        keyNotFound: (payload) => refusal(documents, payload),
      },
    }),
  ];
}

/** The plugin's "not found" and "no key" cases, worded and coded as graphql-ws words them. */
function refusal(documents: TrustedDocuments, payload: OnParamsEventPayload): Error {
  const trusted = trustedQuery(documents, payload.params as OperationParams, requestIdOf(payload));
  if ('error' in trusted) return httpRefusal(trusted.error);
  return new Error('trusted documents: the persisted-operations plugin refused a listed document'); // unreachable: masked if ever seen
}

function requestIdOf(payload: OnParamsEventPayload): string | undefined {
  return (payload.context as { requestId?: string } | undefined)?.requestId;
}

/** HTTP 400 under application/graphql-response+json, like a validation error (Yoga drops `http` from the body). */
function httpRefusal(error: TributaryError): TributaryError {
  (error.extensions as Record<string, unknown>).http = { status: 400, spec: true };
  return error;
}
