/**
 * Issue 9: the demo's GraphiQL opens on its example operation. The page is fetched as a
 * browser asks for it, and the options it hands the GraphiQL bundle are read back: the
 * bundle (@graphql-yoga/render-graphiql 5.18) fills its editor from `query`.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';

const CONFIG = `
server: { graphiql: true }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  sales:
    source: warehouse
    sql: "select 'East' as region, 1 as amount"
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount } }
`;

const admin = await connectTestPostgres();

/** The options object the page passes to `renderYogaGraphiQL(root, options)`. */
function pageOptions(html: string): Record<string, unknown> {
  const call = html.lastIndexOf('YogaGraphiQL.renderYogaGraphiQL(');
  expect(call, 'the page renders GraphiQL').toBeGreaterThan(0);
  const start = html.indexOf('{', html.indexOf("querySelector('#root'),", call));
  const end = html.lastIndexOf('}', html.indexOf('</script>', start));
  return JSON.parse(html.slice(start, end + 1)) as Record<string, unknown>;
}

describe.skipIf(!admin)('GraphiQL preloads the example operation', () => {
  let gateway: Gateway;
  let server: RunningServer;
  let example: string;
  beforeAll(async () => {
    await admin!.end();
    example = await readFile(new URL('../demo/example.graphql', import.meta.url), 'utf8');
    gateway = await createGateway(parseConfig(CONFIG, { env: {} }));
    server = await startServer(gateway, { port: 0, host: '127.0.0.1', exampleQuery: example });
  });
  afterAll(async () => {
    await server?.close();
    await gateway?.close();
  });

  it('the page opens its editor on the example (the `query` option), not the welcome text', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const options = pageOptions(await response.text());
    expect(options.title).toBe('Tributary');
    expect(options.query).toBe(example);
  });
});
