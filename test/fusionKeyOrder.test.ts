/**
 * Fusion members whose dimension names sort in another order than the fusion's keys: the
 * join must pair each member's columns by key, not by position (a member's plan lists its
 * dimensions sorted by its own names).
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_fusion_key_order';

const CONFIG = `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    dimensions:
      region: { type: string }
      ts: { type: time, granularity: month }
    measures:
      revenue: { sum: amount }
  targets:
    source: warehouse
    table: ${SCHEMA}.targets
    dimensions:
      area: { type: string }
      period: { type: time, column: starts, granularity: month }
    measures:
      target: { sum: goal }
fusions:
  attainment:
    join: full
    keys: { region: string, month: time }
    members:
      sales: { region: region, month: ts }
      targets: { region: area, month: period }
`;

const admin = await connectTestPostgres();

describe.skipIf(!admin)('fusion keys are paired by name whatever each member calls them', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const client = admin as pg.Client;
    await client.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await client.query(`create table ${SCHEMA}.sales (region text, amount numeric, ts timestamptz)`);
    await client.query(`create table ${SCHEMA}.targets (area text, goal numeric, starts timestamptz)`);
    await client.query(`insert into ${SCHEMA}.sales values ('East', 10, '2024-01-05Z'), ('East', 5, '2024-02-05Z'), ('West', 7, '2024-01-09Z')`);
    await client.query(`insert into ${SCHEMA}.targets values ('East', 100, '2024-01-01Z'), ('West', 70, '2024-01-01Z'), ('West', 80, '2024-02-01Z')`);
    gw = await startTestGateway(CONFIG);
  });
  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('joins on (region, month) for every member', async () => {
    const response = await gw.query('{ attainment(orderBy: [{ region: ASC }, { month: ASC }]) { rows { region month(granularity: MONTH) revenue target } } }');
    expect(response.errors).toBeUndefined();
    expect((response.data as { attainment: { rows: unknown[] } }).attainment.rows).toEqual([
      { region: 'East', month: '2024-01-01T00:00:00+00:00', revenue: 10, target: 100 },
      { region: 'East', month: '2024-02-01T00:00:00+00:00', revenue: 5, target: null },
      { region: 'West', month: '2024-01-01T00:00:00+00:00', revenue: 7, target: 70 },
      { region: 'West', month: '2024-02-01T00:00:00+00:00', revenue: null, target: 80 },
    ]);
  });
});
