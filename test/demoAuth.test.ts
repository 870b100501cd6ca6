/**
 * The demo with access control on (`npm start -- --auth`), on a small seed: the printed
 * tokens work, the analyst sees Europe only (sales, the fusion, the history of the
 * stream), and a request without a token gets 401.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTokens } from '../demo/demoTokens.ts';
import { loadDemoConfig } from '../demo/loadDemoConfig.ts';
import { openDemoDatabase } from '../demo/openDemoDatabase.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';

const SECRET = 'demo-test-secret-of-at-least-32-bytes!!';
let dir: string;
let gateway: Gateway;
let server: RunningServer;
let tokens: { admin: string; analyst: string };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tributary-demo-auth-'));
  const { db } = await openDemoDatabase(path.join(dir, 'pg'), { rows: 5_000 });
  await db.close();
  gateway = await createGateway(await loadDemoConfig(path.join(dir, 'pg'), { authSecret: SECRET }));
  server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  tokens = await demoTokens(SECRET);
});

afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

async function post(query: string, token?: string, operationName?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, operationName }),
  });
  return { status: response.status, body: await response.json() };
}

const BY_REGION = '{ sales { rows { region revenue } totals { revenue } } }';

describe('the demo with --auth', () => {
  it('refuses a request without a token', async () => {
    const { status, body } = await post(BY_REGION);
    expect(status).toBe(401);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('shows the analyst Europe only, and the admin every region', async () => {
    const analyst = await post(BY_REGION, tokens.analyst);
    const admin = await post(BY_REGION, tokens.admin);
    expect(analyst.body.data.sales.rows.map((r: { region: string }) => r.region)).toEqual(['Europe']);
    expect(admin.body.data.sales.rows.length).toBeGreaterThan(1);
    const europe = admin.body.data.sales.rows.find((r: { region: string }) => r.region === 'Europe');
    expect(analyst.body.data.sales.totals.revenue).toBeCloseTo(europe.revenue, 6);
  });

  it("applies the analyst's policy to the fusion's members", async () => {
    const { body } = await post('{ salesVsTargets(limit: 500) { rows { region revenue target } } }', tokens.analyst);
    expect(body.errors).toBeUndefined();
    expect(new Set(body.data.salesVsTargets.rows.map((r: { region: string }) => r.region))).toEqual(new Set(['Europe']));
  });

  it("hides the measures the analyst's grant does not list", async () => {
    const { body } = await post('{ sales { rows { region cost } } }', tokens.analyst);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it("answers every GraphiQL example for the admin", async () => {
    const examples = await readFile('demo/example.graphql', 'utf8');
    for (const name of [...examples.matchAll(/^query (\w+)/gm)].map((m) => m[1]!)) {
      const { body } = await post(examples, tokens.admin, name);
      expect(body.errors, name).toBeUndefined();
    }
  });
});
