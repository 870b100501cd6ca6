import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';

type Row = Readonly<Record<string, unknown>>;

/**
 * The floor for serving a list of rows with GraphQL in this process: a bare graphql-yoga
 * (graphql-js execution, default resolvers) served by node:http on /graphql like the
 * gateway, whose `sales { rows { … } }` returns `rows`, plain objects held in memory. Each
 * field's type comes from its values (String, Float or Boolean), so asking for the rows'
 * keys in order serializes exactly the JSON the gateway sent.
 */
export async function startRowsServer(rows: readonly Row[]): Promise<{ readonly origin: string; close(): Promise<void> }> {
  const fields = Object.keys(rows[0] ?? {}).map((name) => `${name}: ${scalarOf(rows, name)}`);
  const typeDefs = `type Query { sales: SalesResult! } type SalesResult { rows: [SalesRow!]! } type SalesRow { ${fields.join(' ') || 'none: String'} }`;
  const result = { rows };
  const yoga = createYoga({
    schema: createSchema({ typeDefs, resolvers: { Query: { sales: () => result } } }),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: false,
  });
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

function scalarOf(rows: readonly Row[], name: string): string {
  const value = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
  return typeof value === 'number' ? 'Float' : typeof value === 'boolean' ? 'Boolean' : 'String';
}
