/**
 * Progressive answers on the embedded source (PGlite, the demo's): its queries run on the
 * gateway's own thread, one at a time, so the versions must still reach the client while
 * the next slices run (PGliteSource yields to the event loop between statements). Without
 * that, a client saw the first and the final version together at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { wsOperation } from './support/wsOperation.ts';

let dir: string;
let gw: TestGateway;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tributary-progressive-embedded-'));
  const db = new PGlite(path.join(dir, 'pg'));
  await db.exec(`create table sales as
    select timestamptz '2024-01-01 00:00:00+00' + (g * interval '2 minutes') as ts,
      (array['East','West','North'])[1 + g % 3] as region, (g % 89)::numeric(10,2) as amount
    from generate_series(1, 400000) g;
    create index on sales (ts); analyze sales;`);
  await db.close();
  gw = await startTestGateway(`
sources: { embedded: { kind: pglite, dataDir: "${path.join(dir, 'pg')}" } }
datasets:
  sales:
    source: embedded
    table: sales
    progressive: { slices: 8 }
    dimensions: { region: { type: string }, ts: { type: time } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
`);
}, 120_000);

afterAll(async () => {
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('delivers a version per slice while the embedded database runs the next ones', async () => {
  const outcome = await wsOperation(gw.server.url, { query: 'subscription { sales(cache: BYPASS) { progress final slices { done } rows { region revenue } } }' });
  const versions = outcome.results.map((r) => r.data.sales as { progress: number; final: boolean; slices: unknown[] });
  console.log(`progressive on PGlite: ${versions.length} versions for ${versions.at(-1)!.slices.length} slices`);
  expect(versions.at(-1)!.final).toBe(true);
  // Versions went out between the statements (8 of 8 here; a slow client may skip one to the
  // newest); held back, only the first and the final came, together.
  expect(versions.length).toBeGreaterThanOrEqual(versions.at(-1)!.slices.length / 2);
}, 60_000);
