/**
 * A client that goes away cancels its source query: the backend running it stops long
 * before the query would have finished, and the pool keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const admin = await connectTestPostgres();
const MARKER = 'tributary_cancel_marker';

describe.skipIf(!admin)('client disconnect cancels the source query', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(`
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}", statementTimeout: 60s }
datasets:
  slow:
    source: warehouse
    sql: "select pg_sleep(30) as ${MARKER}, g as v from generate_series(1, 3) g"
    dimensions: { v: { type: number } }
    measures: { n: { count: "*" } }
`);
  });
  afterAll(async () => {
    await gw?.close();
    await admin?.end();
  });

  const running = async () =>
    (await admin!.query(`select pid from pg_stat_activity where state = 'active' and query like '%${MARKER}%' and application_name = 'tributary'`)).rows;

  it('stops the backend when the HTTP request is aborted', async () => {
    const controller = new AbortController();
    const request = gw.query('{ slow { rows { v n } } }', {}, { signal: controller.signal }).catch((e: Error) => e);
    await waitFor('the slow query to reach Postgres', async () => (await running()).length > 0);
    const abortedAt = Date.now();
    controller.abort();
    expect(await request).toBeInstanceOf(Error);
    await waitFor('the backend to stop running the query', async () => (await running()).length === 0, 5_000);
    expect(Date.now() - abortedAt).toBeLessThan(5_000); // the query itself would take 30 s
  });

  it('keeps serving afterwards', async () => {
    const result = await gw.query('{ _datasets { name } }');
    expect(result.data._datasets).toEqual([{ name: 'slow' }]);
  });
});
