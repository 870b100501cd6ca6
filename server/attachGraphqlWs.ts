import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { ErrorCode, limitExceeded } from '../errors/index.ts';
import type { RequestContext } from '../resolvers/index.ts';
import { AuthFailure, type Access, type Authenticator } from '../security/index.ts';
import { nestingRefusal } from './plugins/useNestingLimit.ts';
import { batchFrames } from './batchedFrames.ts';
import { DirectRoute, framePayload } from './sharedExecution/index.ts';
import { resolveTrustedDocument } from './trustedDocuments.ts';

type Enveloped = ReturnType<YogaServerInstance<Record<string, unknown>, Record<string, unknown>>['getEnveloped']>;

/**
 * Serves GraphQL over WebSocket (subprotocol `graphql-transport-ws`) on the HTTP server's
 * /graphql path, through the same Yoga plugins and context as HTTP requests, so
 * subscriptions, errors and masking behave alike on both transports.
 */
export function attachGraphqlWs(server: Server, yoga: YogaServerInstance<any, any>, authenticate: Authenticator | null): () => Promise<void> {
  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  const accessOf = new WeakMap<object, Access>();
  // Registered before useServer's own listener, so every frame graphql-ws sends passes here:
  // a result shared by many subscriptions is serialized once, and a burst leaves in one write.
  wsServer.on('connection', batchFrames);
  const disposable = useServer<Record<string, unknown> | undefined>(
    {
      // The token comes in the connection_init payload: { "authorization": "Bearer <jwt>" }.
      // A bad token closes the socket with 4401; a valid token of an unknown role with 4403.
      onConnect: async (ctx) => {
        if (!authenticate) return true;
        const header = ctx.connectionParams?.authorization;
        try {
          const access = await authenticate(typeof header === 'string' ? header : undefined);
          accessOf.set(ctx.extra.socket, access);
          closeWhenExpired(ctx.extra.socket, access.expiresAt);
          return true;
        } catch (error) {
          if (!(error instanceof AuthFailure)) throw error;
          ctx.extra.socket.close(error.forbidden ? 4403 : 4401, error.message.slice(0, 120));
          return false;
        }
      },
      // A result shared by several subscriptions goes out as its JSON, made once.
      onNext: (_ctx, _id, _payload, _args, result) => framePayload(result) as never,
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, id, payload) => {
        // graphql-ws keeps every operation in flight on this socket, this one included, in
        // ctx.subscriptions and drops it when it completes, errors or the client completes it.
        // Counted before any await, so of a burst exactly the operations past the limit are refused.
        const open = Object.keys(ctx.subscriptions).length;
        const access = accessOf.get(ctx.extra.socket);
        // Window versions of this operation may go straight to the socket (DirectRoute), as graphql-ws would send them.
        const subscriptionRoute = new DirectRoute(ctx.extra.socket, id, () => Object.hasOwn(ctx.subscriptions, id));
        const enveloped = yoga.getEnveloped({ ...ctx, req: ctx.extra.request, socket: ctx.extra.socket, params: payload, access, subscriptionRoute });
        const contextValue: unknown = await enveloped.contextFactory();
        const max = (contextValue as RequestContext).gateway.config.server.limits.maxSubscriptionsPerConnection;
        if (open > max) return [limitExceeded(`maxSubscriptionsPerConnection: ${open} operations on this connection, the limit is ${max}`, { limit: 'maxSubscriptionsPerConnection', max })];
        // server.trustedDocuments: the same rule as over HTTP (useTrustedDocuments), before any parse.
        const trusted = resolveTrustedDocument(contextValue as RequestContext, payload);
        if ('errors' in trusted) return trusted.errors;
        // server.limits.maxNesting: the same rule as over HTTP (useNestingLimit), before the parse and variable coercion recurse.
        const tooDeep = nestingRefusal(trusted.query, payload.variables, (contextValue as RequestContext).gateway.config.server.limits.maxNesting);
        if (tooDeep) return [tooDeep];
        let document;
        try {
          document = enveloped.parse(trusted.query);
        } catch (error) {
          const e = error as GraphQLError;
          return [new GraphQLError(e.message, { extensions: { ...e.extensions, code: e.extensions?.code ?? ErrorCode.GRAPHQL_PARSE_FAILED } })];
        }
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) {
          return errors.map((e: GraphQLError) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code: e.extensions.code ?? ErrorCode.GRAPHQL_VALIDATION_FAILED } }));
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: enveloped,
        };
        return args;
      },
    },
    wsServer,
  );
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => wsServer.close(() => resolve()));
  };
}

/** The largest delay setTimeout keeps (about 24.8 days); a token valid longer is left to its connection. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A graphql-ws connection is authenticated once, at connection_init: when its token
 * expires, the connection ends with 4401 like a connection_init with an expired token,
 * and the client must reconnect with a fresh one.
 */
function closeWhenExpired(socket: { close(code: number, reason: string): void; once(event: 'close', listener: () => void): unknown }, expiresAt: number | null | undefined): void {
  if (expiresAt == null) return;
  const delay = expiresAt - Date.now();
  if (delay > MAX_TIMER_MS) return;
  const timer = setTimeout(() => socket.close(4401, 'the token has expired'), Math.max(0, delay));
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
