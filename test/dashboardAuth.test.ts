/**
 * The dashboard with auth on (`npm start -- --auth`): without a token the page asks for
 * one and draws nothing; a token typed into its field loads every panel under that
 * caller's role (the analyst sees Europe only); a token in the URL fragment loads them at
 * once. Chromium as in dashboardBrowser.test.ts (skipped without it, failing under CI).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokens } from '../demo/demoTokens.ts';
import { skipWithoutChromium, startDashboardDemo, type DashboardDemo } from './support/dashboardDemo.ts';

const WAIT_MS = 60_000;
const SECRET = 'dashboard-auth-test-secret-0123456789abcdef';
const PANELS = ['revenue', 'top', 'targets', 'live', 'history'];

describe.skipIf(skipWithoutChromium('dashboardAuth'))('the dashboard with auth on', { timeout: 180_000 }, () => {
  let demo: DashboardDemo;
  let origin: string;
  let tokens: { admin: string; analyst: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    demo = await startDashboardDemo({ rows: 20_000, authSecret: SECRET });
    origin = demo.origin;
    tokens = await demoTokens(SECRET);
  }, 120_000);

  afterAll(() => demo?.close());

  // Refused requests log "Failed to load resource: ... 401" in Chromium: expected before a token is given.
  const openPage = (url: string) => demo.openPage(url, pageErrors, /status of 401/);

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
