import { parseConfig } from '../../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../../server/index.ts';

export interface GraphQLResponse {
  data?: any;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestGateway {
  readonly gateway: Gateway;
  readonly server: RunningServer;
  /** POSTs a GraphQL request to the running server, over real HTTP. */
  query(query: string, variables?: Record<string, unknown>, init?: { signal?: AbortSignal }): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

/** Starts a gateway for a YAML config on a free port. */
export async function startTestGateway(yaml: string, env: Record<string, string> = {}): Promise<TestGateway> {
  const gateway = await createGateway(parseConfig(yaml, { env: { ...process.env, ...env } }));
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  return {
    gateway,
    server,
    async query(query, variables = {}, init = {}) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query, variables }),
        signal: init.signal,
      });
      return (await response.json()) as GraphQLResponse;
    },
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

export { seededRandom } from './seededRandom.ts';
