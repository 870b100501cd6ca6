import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';

export interface BareYoga {
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * A bare graphql-yoga (graphql-js execution, no plugins) served by node:http on /graphql
 * like the gateway, on a free loopback port: the baseline the cache benchmarks compare with.
 */
export async function startBareYoga(typeDefs: string, resolvers: { Query: Record<string, () => unknown> }): Promise<BareYoga> {
  const yoga = createYoga({ schema: createSchema({ typeDefs, resolvers }), graphqlEndpoint: '/graphql', landingPage: false, graphiql: false, logging: false });
  const server = createServer(yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
