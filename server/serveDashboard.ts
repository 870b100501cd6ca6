import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from './logger.ts';

/**
 * The demo dashboard's static files (README, "Dashboard"): `/dashboard` is the page, and
 * `/dashboard/<file>` one of a fixed list of files. Nothing is looked up by a path taken
 * from the request: a name not in the list is a 404, so `..`, encoded slashes and the like
 * never reach the file system. The two libraries come from node_modules, so the page loads
 * nothing from a CDN and works offline.
 */

const require = createRequire(import.meta.url);
const PAGE_DIR = new URL('../dashboard/', import.meta.url);

const TYPES = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
} as const;

interface StaticFile {
  readonly path: string;
  readonly type: string;
  /** The page's own files change with the repository: revalidate. The libraries change with node_modules only. */
  readonly cacheControl: string;
}

const OWN = 'no-cache';
const LIBRARY = 'public, max-age=86400';

/** The page's own files, by the name the page asks for. Keep in step with dashboard/. */
const PAGE_FILES = ['index.html', 'dashboard.css', 'dashboard.js', 'graphqlClient.js', 'panelState.js', 'revenuePanel.js', 'topPanel.js', 'targetsPanel.js', 'livePanel.js', 'historyPanel.js', 'authToken.js'];

function buildFiles(): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of PAGE_FILES) {
    const ext = name.slice(name.lastIndexOf('.') + 1) as keyof typeof TYPES;
    files.set(name, { path: fileURLToPath(new URL(name, PAGE_DIR)), type: TYPES[ext], cacheControl: OWN });
  }
  files.set('echarts.js', { path: require.resolve('echarts/dist/echarts.min.js'), type: TYPES.js, cacheControl: LIBRARY });
  // graphql-ws's `exports` do not list umd/; its package.json is listed, and umd/ sits beside it.
  const graphqlWsRoot = dirname(require.resolve('graphql-ws/package.json'));
  files.set('graphql-ws.js', { path: join(graphqlWsRoot, 'umd', 'graphql-ws.min.js'), type: TYPES.js, cacheControl: LIBRARY });
  return files;
}

let files: ReadonlyMap<string, StaticFile> | undefined;

/**
 * Answers a request whose path is `/dashboard` or starts with `/dashboard/`; returns false
 * (and writes nothing) for any other path, so the caller routes it on.
 */
export function serveDashboard(path: string, req: IncomingMessage, res: ServerResponse): boolean {
  if (path !== '/dashboard' && !path.startsWith('/dashboard/')) return false;
  files ??= buildFiles();
  const name = path === '/dashboard' || path === '/dashboard/' ? 'index.html' : path.slice('/dashboard/'.length);
  const file = files.get(name);
  if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(file ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8', ...(file ? { allow: 'GET, HEAD' } : {}) });
    res.end(file ? 'method not allowed\n' : 'not found\n');
    return true;
  }
  const headers = { 'content-type': file.type, 'cache-control': file.cacheControl, 'x-content-type-options': 'nosniff' };
  if (req.method === 'HEAD') {
    res.writeHead(200, headers);
    res.end();
    return true;
  }
  const stream = createReadStream(file.path);
  stream.once('open', () => {
    res.writeHead(200, headers);
    stream.pipe(res);
  });
  stream.once('error', (error) => {
    logger.error({ err: error, file: name }, 'dashboard: a file of the page could not be read');
    if (res.headersSent) return void res.destroy();
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('the dashboard file could not be read\n');
  });
  return true;
}
