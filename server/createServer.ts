import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, maskError, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import { TributaryError } from '../errors/index.ts';
import { logger } from './logger.ts';
import type { Gateway } from './gateway.ts';
import type { RequestContext } from '../resolvers/index.ts';
import { attachGraphqlWs } from './attachGraphqlWs.ts';
import { gatewaySchemas } from './gatewaySchemas.ts';
import { serverPlugins } from './plugins/index.ts';
import { useSharedSubscriptions } from './sharedExecution/index.ts';
import { createSourceSlots } from './SourceSlots.ts';
import { limitBody } from './limitBody.ts';
import { createSingleConnectionSse } from './singleConnectionSse.ts';
import { serveExplain } from './explainEndpoint.ts';
import { serveDashboard } from './serveDashboard.ts';

/**
 * GraphiQL's page options. @graphql-yoga/render-graphiql (5.18) opens its editor on
 * `query` (else its welcome text), a key Yoga's GraphiQLOptions type does not list;
 * `defaultQuery` alone is overridden by that welcome text.
 */
function graphiqlOptions(exampleQuery: string | undefined): GraphiQLOptions & { readonly query?: string } {
  return { title: 'Tributary', defaultQuery: exampleQuery, query: exampleQuery };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export interface ServerOptions {
  readonly port: number;
  readonly host?: string;
  /** Query preloaded in GraphiQL. */
  readonly exampleQuery?: string;
  /** Extra Yoga plugins, run after the gateway's own (benchmarks add a response cache this way). */
  readonly plugins?: readonly Plugin[];
  /** Bounds on single-connection SSE reservations waiting for their stream (defaults: 1,000 for 30 s). */
  readonly sseReservations?: { readonly maxReservations?: number; readonly reservationTtlMs?: number };
  /** Serve the demo dashboard on /dashboard (server/serveDashboard.ts). Its panels name the demo's datasets, so only `demo` turns it on. */
  readonly dashboard?: boolean;
}

/**
 * Serves a gateway over HTTP: GraphQL (and GraphiQL for browsers) on /graphql, plus
 * /healthz (process is up), /readyz (every source answers) and /metrics (Prometheus).
 */
export async function startServer(gateway: Gateway, options: ServerOptions): Promise<RunningServer> {
  const yoga = createYoga<{ req: IncomingMessage; res: ServerResponse }, RequestContext>({
    schema: gatewaySchemas(gateway).all,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    healthCheckEndpoint: '/healthz',
    graphiql: gateway.config.server.graphiql ? graphiqlOptions(options.exampleQuery) : false,
    // The self-contained GraphiQL page: it loads nothing from a CDN, so it works offline.
    renderGraphiQL,
    maskedErrors: {
      // The client sees "Unexpected error."; the log keeps what happened.
      maskError: (error, message, isDev) => {
        // A TributaryError is meant for the client even when it carries a driver error as its cause.
        if (error instanceof TributaryError || (error as { originalError?: unknown }).originalError instanceof TributaryError) return error as Error;
        const masked = maskError(error, message, isDev);
        // useErrorHygiene has already logged each error it saw (under the request id) and handed
        // on only safe ones; what is masked here escaped it, and is logged as unexpected.
        if (masked !== error) logger.error({ err: (error as { originalError?: unknown }).originalError ?? error }, 'unexpected error while serving a request');
        return masked;
      },
    },
    logging: false,
    // WebSocket operations have no Fetch request: their iterators end when the socket does.
    // Plugins may extend the initial context (useAuth adds `access`); graphql-ws passes it in.
    context: (initial) => {
      const given = initial as { requestId?: string; access?: RequestContext['access'] };
      return {
        gateway,
        requestId: given.requestId ?? randomUUID(),
        signal: initial.request?.signal,
        authorization: initial.request?.headers.get('authorization') ?? undefined,
        access: given.access,
        sourceSlots: createSourceSlots(gateway.config.server.limits.maxSourceQueriesPerRequest),
      };
    },
    plugins: [...serverPlugins(gateway), useSharedSubscriptions(), ...(options.plugins ?? [])],
  });

  const sse = createSingleConnectionSse(yoga, gateway.authenticate, options.sseReservations);
  const server = createHttpServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/graphql' && sse.accepts(req)) {
      return limitBody(req, res, gateway.config.server.limits.maxBodyBytes, () => void sse.serve(req, res).catch((error) => failSse(res, error)));
    }
    if (path === '/readyz') return void readyz(gateway, res);
    if (path === '/metrics') return void metrics(gateway, res);
    if (path === '/explain') return serveExplain(gateway, req, res);
    if (options.dashboard && serveDashboard(path!, req, res)) return;
    return limitBody(req, res, gateway.config.server.limits.maxBodyBytes, () => void yoga(req, res));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
  });
  if (!gateway.authenticate) {
    logger.warn('no auth in the config: every client can read every dataset; see README, "Securing Tributary"');
  }
  const closeWs = attachGraphqlWs(server, yoga, gateway.authenticate);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    server,
    close: async () => {
      await closeWs();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** An unexpected failure of the SSE transport: logged, and the client gets a 500 or a closed stream. */
function failSse(res: ServerResponse, error: unknown): void {
  logger.error({ err: error }, 'unexpected error in the GraphQL over SSE single connection transport');
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message: 'Unexpected error.' }] }));
}

/** Each source is `ok` or `unavailable`; why a source is unavailable (driver text: hosts, roles) goes to the log only. */
async function readyz(gateway: Gateway, res: ServerResponse): Promise<void> {
  const checks = await Promise.all(
    [...gateway.sources.values()].map(async (s) => {
      try {
        await s.ping();
        return [s.name, 'ok'] as const;
      } catch (error) {
        const cause = (error as { originalError?: unknown }).originalError ?? error;
        logger.warn({ source: s.name, err: cause }, `readiness: source ${s.name} is unavailable`);
        return [s.name, 'unavailable'] as const;
      }
    }),
  );
  const ready = checks.every(([, status]) => status === 'ok');
  // Redis down leaves the replica ready: it answers from L1 and the sources (slower, not
  // wrong). Taking every replica out of the load balancer because a cache is gone would
  // turn a cache outage into a full one. The status is reported for operators.
  const l2 = gateway.cache.l2 ? { l2: gateway.cache.l2.status } : {};
  res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ready, sources: Object.fromEntries(checks), ...l2 }));
}

async function metrics(gateway: Gateway, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': gateway.metrics.registry.contentType });
  res.end(await gateway.metrics.registry.metrics());
}
