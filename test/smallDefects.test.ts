/**
 * Issue 9, "smaller defects", over real HTTP against the real Postgres server: time values
 * outside years 1-9999, rows that select neither dimensions nor measures, and
 * `meta.truncated` when the limit (or server.defaultLimit) cuts the rows.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_smalldefects';
const REGIONS = ['East', 'North', 'South', 'West', 'Central'];

const CONFIG = `
server: { defaultLimit: 3, maxLimit: 10 }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  sales:
    source: warehouse
    table: ${SCHEMA}.sales
    timezone: UTC
    dimensions:
      region: { type: string }
      ts: { type: time, granularity: month }
    measures:
      revenue: { sum: amount }
  targets:
    source: warehouse
    table: ${SCHEMA}.sales
    timezone: UTC
    dimensions:
      area: { type: string, column: region }
    measures:
      target: { sum: amount }
fusions:
  plansVsActuals:
    join: full
    keys: { region: string }
    members:
      sales: { region: region }
      targets: { region: area }
`;

const admin = await connectTestPostgres();

describe.skipIf(!admin)('smaller defects (issue 9)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const client = admin as pg.Client;
    await client.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await client.query(`create table ${SCHEMA}.sales (region text, amount numeric, ts timestamptz)`);
    for (const [i, region] of REGIONS.entries()) {
      await client.query(`insert into ${SCHEMA}.sales values ($1, $2, $3)`, [region, 10 * (i + 1), `2024-0${i + 1}-15T00:00:00Z`]);
    }
    gw = await startTestGateway(CONFIG);
  });
  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  describe('time values outside years 1-9999 are refused, whether or not the cache could answer', () => {
    const QUERY = 'query($w: SalesWhere) { sales(where: $w) { rows { region revenue } } }';
    it.each(['0000-01-01', '0000-06-01T00:00:00Z', '9999-12-31T23:00:00-05:00'])('%s', async (value) => {
      // The core this query derives from is cached first: before the fix the cache answered
      // year 0, while the same query with cache: BYPASS failed at the database.
      const warm = await gw.query(QUERY, { w: { ts: { gte: '2024-01-01' } } });
      expect(warm.errors).toBeUndefined();
      const response = await gw.query(QUERY, { w: { ts: { gte: value } } });
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.message).toBe(`where.ts.gte: ${JSON.stringify(value)} is outside the supported years 0001 to 9999 (UTC)`);
    });
    it('the first supported day is answered', async () => {
      const response = await gw.query('{ sales(where: { ts: { gte: "0001-01-01", lt: "9999-12-31" } }, limit: 10) { rows { revenue } } }');
      expect(response.errors).toBeUndefined();
      expect(response.data.sales.rows).toEqual([{ revenue: 150 }]);
    });
  });

  describe('rows with neither dimensions nor measures are one row, as `select count(*) from t` is', () => {
    it.each([
      ['__typename', '{ sales(cache: BYPASS) { rows { __typename } } }', [{ __typename: 'SalesRow' }]],
      ['__typename, cached', '{ sales { rows { __typename } } }', [{ __typename: 'SalesRow' }]],
      ['__typename, cached again', '{ sales { rows { __typename } } }', [{ __typename: 'SalesRow' }]],
      ['a constant calc', '{ sales { rows { calc(expr: "1+1") } } }', [{ calc: 2 }]],
      ['over no row at all', '{ sales(where: { region: { eq: "nowhere" } }) { rows { __typename } } }', [{ __typename: 'SalesRow' }]],
      ['past the one row', '{ sales(offset: 1) { rows { __typename } } }', []],
      ['in a fusion', '{ plansVsActuals { rows { __typename } } }', [{ __typename: 'PlansVsActualsRow' }]],
    ])('%s', async (_, query, rows) => {
      const response = await gw.query(query);
      expect(response.errors).toBeUndefined();
      expect(Object.values(response.data)[0]).toEqual({ rows });
    });
  });

  describe('meta.truncated says when the limit cut the rows', () => {
    it.each([
      ['no limit: server.defaultLimit (3) of 5 rows', '', 3, true],
      ['limit 5 of 5 rows', 'limit: 5', 5, false],
      ['limit 4 of 5 rows', 'limit: 4', 4, true],
      ['limit 2, offset 3: the last 2 rows', 'limit: 2, offset: 3', 2, false],
      ['limit 2, offset 2: one row more', 'limit: 2, offset: 2', 2, true],
      ['limit 0', 'limit: 0', 0, true],
      ['uncached, no limit', 'cache: BYPASS', 3, true],
      ['uncached, limit 5', 'cache: BYPASS, limit: 5', 5, false],
      ['a filter that leaves one row', 'where: { region: { eq: "East" } }', 1, false],
    ])('%s', async (_, args, count, truncated) => {
      const response = await gw.query(`{ sales${args ? `(${args})` : ''} { rows { region revenue } meta { truncated } } }`);
      expect(response.errors).toBeUndefined();
      expect(response.data.sales.rows).toHaveLength(count);
      expect(response.data.sales.meta.truncated).toBe(truncated);
    });
    it('the rows returned are the first ones of the order, without the probe row', async () => {
      const response = await gw.query('{ sales(orderBy: [{ revenue: DESC }]) { rows { region revenue } meta { truncated } } }');
      expect(response.data.sales).toEqual({
        rows: [{ region: 'Central', revenue: 50 }, { region: 'West', revenue: 40 }, { region: 'South', revenue: 30 }],
        meta: { truncated: true },
      });
    });
    it('a fusion says it too', async () => {
      const cut = await gw.query('{ plansVsActuals { rows { region revenue target } meta { truncated } } }');
      expect(cut.data.plansVsActuals.rows).toHaveLength(3);
      expect(cut.data.plansVsActuals.meta.truncated).toBe(true);
      const whole = await gw.query('{ plansVsActuals(limit: 5) { rows { region } meta { truncated } } }');
      expect(whole.data.plansVsActuals.rows).toHaveLength(5);
      expect(whole.data.plansVsActuals.meta.truncated).toBe(false);
    });
  });
});
