/**
 * The dashboard with auth on (`npm start -- --auth`): without a token the page asks for
 * one and draws nothing; a token typed into its field loads every panel under that
 * caller's role (the analyst sees Europe only); a token in the URL fragment loads them at
 * once. Chromium as in dashboardBrowser.test.ts (skipped without it, failing under CI).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokens } from '../demo/demoTokens.ts';
import { loadDemoConfig } from '../demo/loadDemoConfig.ts';
import { openDemoDatabase } from '../demo/openDemoDatabase.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env.CI === 'true';
const WAIT_MS = 60_000;
const SECRET = 'dashboard-auth-test-secret-0123456789abcdef';
const PANELS = ['revenue', 'top', 'targets', 'live', 'history'];

if (!HAVE_CHROMIUM && !IN_CI) console.log(`dashboardAuth: skipped, no Chromium at ${CHROMIUM}`);

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('the dashboard with auth on', { timeout: 180_000 }, () => {
  let dir: string;
  let gateway: Gateway;
  let server: RunningServer;
  let browser: Browser;
  let origin: string;
  let tokens: { admin: string; analyst: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`no Chromium at ${CHROMIUM}: .ci/run installs it (apt-get install -y chromium), or set CHROMIUM_PATH`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-dashboard-auth-'));
    const { db } = await openDemoDatabase(path.join(dir, 'pg'), { rows: 20_000 });
    await db.close();
    gateway = await createGateway(await loadDemoConfig(path.join(dir, 'pg'), { authSecret: SECRET }));
    server = await startServer(gateway, { port: 0, host: '127.0.0.1', dashboard: true });
    origin = server.url.replace(/\/graphql$/, '');
    tokens = await demoTokens(SECRET);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await gateway?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function openPage(url: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    // Refused requests log "Failed to load resource: 401" in Chromium; anything else is a page error.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) pageErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    return page;
  }

  const allDrawn = (page: Page) =>
    page.waitForFunction(
      (names) => names.every((n) => Number(document.querySelector<HTMLElement>(`section[data-panel="${n}"]`)!.dataset.updates) >= 1) && document.querySelector<HTMLElement>('section[data-panel="history"]')!.dataset.final === 'true',
      PANELS,
      { timeout: WAIT_MS },
    );
  const regionsDrawn = (page: Page) => page.evaluate(() => ((window as any).tributaryDashboard.charts.revenue.getOption().series as { name: string }[]).map((s) => s.name).sort());

  it('asks for a token, then loads every panel under the role of the token typed in', async () => {
    const page = await openPage(`${origin}/dashboard`);
    await page.locator('form[data-role="auth"]').waitFor({ state: 'visible', timeout: WAIT_MS });
    expect(Number(await page.locator('section[data-panel="revenue"]').getAttribute('data-updates') ?? '0')).toBe(0);
    await page.locator('form[data-role="auth"] input[name="token"]').fill(tokens.analyst);
    await page.locator('form[data-role="auth"] button[type="submit"]').click();
    await allDrawn(page);
    expect(await page.locator('form[data-role="auth"]').isHidden()).toBe(true);
    // The analyst's row policy: Europe only, in the lines and in the progressive history.
    expect(await regionsDrawn(page)).toEqual(['Europe']);
    expect(await page.evaluate(() => location.hash)).toContain('token=');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });

  it('takes the token from the URL fragment', async () => {
    const page = await openPage(`${origin}/dashboard#token=${tokens.admin}`);
    await allDrawn(page);
    expect(await page.locator('form[data-role="auth"]').isHidden()).toBe(true);
    expect((await regionsDrawn(page)).length).toBe(5);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  });
});
