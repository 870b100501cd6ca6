import { buildSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AuthFailure, type Access, type Authenticator } from '../../security/index.ts';
import type { Gateway } from '../gateway.ts';
import { gatewaySchemas } from '../gatewaySchemas.ts';
import { unauthenticated } from '../unauthenticated.ts';

/** What a request sees if it somehow reached execution without a verified caller: nothing. */
const LOCKED = buildSchema('type Query { "Authenticate to see this gateway\'s datasets." _authenticated: Boolean }');

/**
 * Authentication and per-role schemas. Every request to /graphql (queries, mutations, SSE
 * subscriptions) is verified before it is parsed: a failure ends it with HTTP 401 and an
 * UNAUTHENTICATED error, no data. A verified caller's `access` joins the context, and the
 * request runs against its role's schema, so validation and introspection show only what
 * the role may see. graphql-ws connections are verified at `connection_init`
 * (attachGraphqlWs) and hand their access in through the initial context.
 */
export function useAuth(gateway: Gateway, authenticate: Authenticator): Plugin {
  const verified = new WeakMap<Request, Access>();
  const schemas = gatewaySchemas(gateway);
  return {
    onPluginInit({ setSchema }) {
      setSchema(LOCKED);
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      // Every request Yoga handles is verified, not only the path /graphql: Yoga serves
      // GraphQL on any URL ending in /graphql or /graphql/ (//graphql, /x?y=/graphql).
      if (url.pathname === '/healthz' || isGraphiQLPage(request)) return;
      try {
        verified.set(request, await authenticate(request.headers.get('authorization') ?? undefined));
      } catch (error) {
        if (!(error instanceof AuthFailure)) throw error;
        const { body, status, headers } = unauthenticated(error);
        endResponse(new fetchAPI.Response(body, { status, headers }));
      }
    },
    onEnveloped({ context, extendContext, setSchema }) {
      const given = context as { access?: Access; request?: Request } | undefined;
      const access = given?.access ?? (given?.request && verified.get(given.request));
      if (!access) return setSchema(LOCKED);
      extendContext({ access } as never);
      setSchema(schemas.forRole(access.role));
    },
  };
}

/** GraphiQL's HTML page carries no token; the queries it sends do. */
function isGraphiQLPage(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
}
