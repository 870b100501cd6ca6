/**
 * /dashboard's static route (server/serveDashboard.ts): on only with `dashboard: true`,
 * the page's own files and the two libraries from node_modules with their content types
 * and caching, and nothing else: a name not in its list (a traversal, an encoded slash,
 * a file of the repository) is a 404. A DuckDB gateway over the demo's CSV: no Postgres.
 */
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';

const CONFIG = `
sources:
  files: { kind: duckdb }
datasets:
  regions:
    source: files
    file: demo/data/regions.csv
    dimensions: { region: { type: string } }
    measures: { regionCount: { count: "*" } }
`;

describe('the /dashboard route', () => {
  let gateway: Gateway;
  let withPage: RunningServer;
  let withoutPage: RunningServer;
  const at = (server: RunningServer, pathname: string) => server.url.replace(/\/graphql$/, pathname);

  beforeAll(async () => {
    gateway = await createGateway(parseConfig(CONFIG, { env: {}, baseDir: path.resolve('.') }));
    withPage = await startServer(gateway, { port: 0, host: '127.0.0.1', dashboard: true });
    withoutPage = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await withPage?.close();
    await withoutPage?.close();
    await gateway?.close();
  });

  it.each([
    ['/dashboard', /^text\/html/, 'no-cache', '<section data-panel="history"'],
    ['/dashboard/', /^text\/html/, 'no-cache', '<section data-panel="revenue"'],
    ['/dashboard/dashboard.css', /^text\/css/, 'no-cache', '--panel'],
    ['/dashboard/dashboard.js', /^text\/javascript/, 'no-cache', 'tributaryDashboard'],
    ['/dashboard/echarts.js', /^text\/javascript/, 'public, max-age=86400', 'echarts'],
    ['/dashboard/graphql-ws.js', /^text\/javascript/, 'public, max-age=86400', 'graphqlWs'],
  ])('serves %s', async (pathname, type, cacheControl, contains) => {
    const response = await fetch(at(withPage, pathname));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(type);
    expect(response.headers.get('cache-control')).toBe(cacheControl);
    expect(await response.text()).toContain(contains);
  });

  it('serves every file of dashboard/ (the list in serveDashboard.ts is complete)', async () => {
    for (const name of await readdir('dashboard')) {
      expect((await fetch(at(withPage, `/dashboard/${name}`))).status, name).toBe(200);
    }
  });

  it.each(['/dashboard/../package.json', '/dashboard/%2e%2e/package.json', '/dashboard/..%2fpackage.json', '/dashboard/nope.js', '/dashboard/dashboard/index.html', '/dashboard/.%2e/README.md'])(
    'refuses %s with a 404',
    async (pathname) => {
      // fetch would normalize `..`: send the path as written.
      const status = await new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: withPage.port, path: pathname }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      expect(status).toBe(404);
    },
  );

  it('accepts only GET and HEAD', async () => {
    expect((await fetch(at(withPage, '/dashboard'), { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(at(withPage, '/dashboard'), { method: 'POST', body: '{}' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('is a 404 when the server was not asked for it', async () => {
    expect((await fetch(at(withoutPage, '/dashboard'))).status).toBe(404);
    expect((await fetch(at(withoutPage, '/dashboard/echarts.js'))).status).toBe(404);
  });
});
