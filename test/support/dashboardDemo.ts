/**
 * The dashboard browser suites' setup: the demo on a small seed in a temporary directory,
 * served with /dashboard, and headless Chromium (Debian's, or $CHROMIUM_PATH) driven by
 * playwright-core. Without Chromium a suite is skipped with a printed reason, except under
 * CI=true, where starting it fails.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadDemoConfig } from '../../demo/loadDemoConfig.ts';
import { openDemoDatabase } from '../../demo/openDemoDatabase.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../../server/index.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** True when the suite named `suite` must be skipped (no Chromium, not under CI); says why. */
export function skipWithoutChromium(suite: string): boolean {
  const skip = !HAVE_CHROMIUM && process.env.CI !== 'true';
  if (skip) console.log(`${suite}: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  return skip;
}

export interface DashboardDemo {
  readonly gateway: Gateway;
  readonly server: RunningServer;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /**
   * A page in a fresh browser context (no cache, no storage) at 1280x900, loaded from `url`;
   * its console errors and uncaught exceptions go into `errors`, except console lines `ignore` matches.
   */
  openPage(url: string, errors: string[], ignore?: RegExp): Promise<Page>;
  close(): Promise<void>;
}

/** Seeds `rows` demo sales, serves the demo config (with demo/auth.yaml when `authSecret` is given) and starts Chromium. */
export async function startDashboardDemo(options: { readonly rows: number; readonly authSecret?: string }): Promise<DashboardDemo> {
  if (!HAVE_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM}: the dashboard browser suites need it under CI (.ci/run installs it with apt-get install -y chromium; or set CHROMIUM_PATH)`);
  const dir = await mkdtemp(path.join(tmpdir(), 'tributary-dashboard-'));
  let gateway: Gateway | undefined;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    await gateway?.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const { db } = await openDemoDatabase(path.join(dir, 'pg'), { rows: options.rows });
    await db.close();
    gateway = await createGateway(await loadDemoConfig(path.join(dir, 'pg'), options.authSecret ? { authSecret: options.authSecret } : {}));
    server = await startServer(gateway, { port: 0, host: '127.0.0.1', exampleQuery: await readFile('demo/example.graphql', 'utf8'), dashboard: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Without the background-networking flags Chromium keeps dialling out, refused by this closed network.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (error) {
    await close();
    throw error;
  }
  const opened = browser;
  return {
    gateway,
    server,
    origin: server.url.replace(/\/graphql$/, ''),
    async openPage(url, errors, ignore) {
      const context = await opened.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' && !(ignore && ignore.test(message.text()))) errors.push(`${url}: console.error: ${message.text()}`);
      });
      page.on('pageerror', (error) => errors.push(`${url}: uncaught: ${error.message}`));
      await page.goto(url);
      return page;
    },
    close,
  };
}
