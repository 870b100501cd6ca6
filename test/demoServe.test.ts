/**
 * The demo as `npm start` runs it, on a small seed: the bundled config loads, checks
 * against the seeded embedded database, and the example query GraphiQL preloads answers.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDemoDatabase } from '../demo/openDemoDatabase.ts';
import { loadConfigFile } from '../schema/index.ts';
import { createGateway, startServer, type Gateway, type RunningServer } from '../server/index.ts';

const ROWS = 20_000;
let dir: string;
let gateway: Gateway;
let server: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tributary-demo-'));
  const { db } = await openDemoDatabase(path.join(dir, 'pg'), { rows: ROWS });
  await db.close();
  const config = await loadConfigFile(path.resolve('demo/tributary.yaml'), { env: { DEMO_DATA_DIR: path.join(dir, 'pg') } });
  gateway = await createGateway(config);
  server = await startServer(gateway, { port: 0, host: '127.0.0.1', exampleQuery: await readFile('demo/example.graphql', 'utf8') });
});

afterAll(async () => {
  await server?.close();
  await gateway?.close();
  await rm(dir, { recursive: true, force: true });
});

async function runExample(operationName: string): Promise<any> {
  const query = await readFile('demo/example.graphql', 'utf8');
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, operationName }),
  });
  const body = (await response.json()) as { data: any; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

it('answers the example queries GraphiQL preloads', async () => {
  const { rows, totals, meta } = (await runExample('RevenueByRegion')).sales;
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBeLessThanOrEqual(12);
  for (const row of rows) expect(row.month).toMatch(/^2025-\d\d-01T00:00:00\+00:00$/);
  const revenues = rows.map((r: { revenue: number }) => r.revenue);
  expect(revenues).toEqual([...revenues].sort((a, b) => b - a));
  expect(totals.orders).toBeGreaterThan(0);
  expect(meta.sources.length).toBe(1); // rows and totals in one statement

  // The fusion of Postgres sales with targets.csv (DuckDB): 2025 quarters per region.
  const fused = (await runExample('SalesVsTargets')).salesVsTargets;
  expect(fused.rows.length).toBeGreaterThan(0);
  for (const row of fused.rows) {
    expect(row.month).toMatch(/^2025-(01|04|07|10)-01T00:00:00\+00:00$/);
    expect(row.target).toBeGreaterThan(0); // every region has 2025 targets
    if (row.revenue !== null) expect(row.attainment).toBeCloseTo(row.revenue / row.target, 12);
  }
  expect(fused.totals.target).toBeGreaterThan(0);

  // The relation to regions.csv: every row gets its region's manager.
  const related = (await runExample('TopCountriesWithRegionManager')).sales.rows;
  expect(related.length).toBeGreaterThan(0);
  for (const row of related) expect(row.regionInfo.manager).toMatch(/\w+ \w+/);
});

it('lists the demo dataset', async () => {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _datasets { name kind source measures { name aggregation } } }' }),
  });
  const body = (await response.json()) as { data: any };
  expect(body.data._datasets[0]).toMatchObject({ name: 'sales', kind: 'dataset', source: 'embedded' });
  expect(body.data._datasets[0].measures).toContainEqual({ name: 'avgPrice', aggregation: 'avg' });
});

it('serves GraphiQL to browsers with the example query, and health endpoints', async () => {
  const page = await (await fetch(server.url, { headers: { accept: 'text/html' } })).text();
  expect(page.slice(0, 300)).toContain('<title>Tributary</title>');
  expect(page.includes('RevenueByRegion'), 'the example query is preloaded').toBe(true);
  expect(page.includes('unpkg.com'), 'GraphiQL loads nothing from a CDN').toBe(false);
  expect((await fetch(server.url.replace('/graphql', '/healthz'))).status).toBe(200);
  const ready = await fetch(server.url.replace('/graphql', '/readyz'));
  expect(await ready.json()).toEqual({ ready: true, sources: { embedded: 'ok', files: 'ok' } });
});

it('answers the analytics examples: a year-over-year quarter and fiscal quarters', async () => {
  const { sales } = await runExample('QuarterOverYear');
  const months = new Set(sales.rows.map((r: { month: string }) => r.month));
  expect([...months].sort()).toEqual(['2025-10-01T00:00:00+00:00', '2025-11-01T00:00:00+00:00', '2025-12-01T00:00:00+00:00']);
  for (const row of sales.rows) {
    expect(row.previous?.revenue).toBeGreaterThan(0); // the demo has 2024 sales in every region and month
    expect(row.growth).toBeCloseTo(row.revenue / row.previous.revenue - 1, 12);
    expect(row.rolling).toBeGreaterThanOrEqual(row.revenue);
  }
  const shares = sales.rows.reduce((sum: number, r: { share: number }) => sum + r.share, 0);
  expect(shares).toBeCloseTo(1, 9);
  expect(sales.meta.ranges).toEqual([
    { field: 'orderDate', expression: 'previous year of [2025-10-01T00:00:00+00:00, 2026-01-01T00:00:00+00:00)', from: '2024-10-01T00:00:00+00:00', to: '2025-01-01T00:00:00+00:00' },
  ]);
  const fiscal = (await runExample('FiscalQuarters')).sales;
  const starts = fiscal.rows.map((r: { fiscalQuarter: string }) => r.fiscalQuarter.slice(5, 7));
  expect(new Set(starts)).toEqual(new Set(['02', '05', '08', '11']));
  expect(fiscal.meta.ranges[0]).toMatchObject({ field: 'orderDate', expression: 'last 36 months' });
});
