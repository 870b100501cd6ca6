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

/** Deterministic pseudo-random numbers (mulberry32), so a failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
