import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSalesInsert } from '../../demo/buildSalesInsert.ts';
import { pgliteRunner } from '../../demo/openDemoDatabase.ts';
import { demoSalesColumns, isSeeded, seedSales } from '../../demo/seedSales.ts';
import type { SqlRunner } from '../../demo/seedSales.ts';

const ROWS = 20_000;
const SCHEMA = `tributary_demo_test_${process.pid}`;

/** Real PostgreSQL, or null when it cannot be reached (then only CI must fail). */
async function connectPostgres(): Promise<pg.Client | null> {
  const client = new pg.Client({
    host: process.env.PGHOST ?? '127.0.0.1',
    port: Number(process.env.PGPORT ?? 5432),
    user: process.env.PGUSER ?? 'postgres',
    database: process.env.PGDATABASE ?? 'test',
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`PostgreSQL is required in CI: ${String(error)}`);
    console.warn(`\n  [seedSales.test] SKIPPING real-PostgreSQL checks: cannot connect (${String(error)})\n`);
    return null;
  }
}

const client = await connectPostgres();
const postgres: SqlRunner | null = client && {
  exec: (sql) => client.query(sql),
  query: (sql, params) => client.query(sql, params),
};

/** Rows of a query as plain strings, so PGlite's and pg's JS type parsing cannot differ. Name every column. */
async function rowsOf(db: SqlRunner, sql: string): Promise<string[][]> {
  const { rows } = await db.query(sql);
  return rows.map((row) => Object.values(row).map(String));
}

const byRegion = (table: string): string => `SELECT region, count(*)::text AS n, sum(amount)::text AS amount,
  sum(cost)::text AS cost, sum(quantity)::text AS quantity, count(*) FILTER (WHERE returned)::text AS returned,
  min(order_ts)::text AS first, max(order_ts)::text AS last FROM ${table} GROUP BY region ORDER BY region`;
/** Every column of every row, in key order, in one hash. */
const fingerprint = (table: string, key = 'id'): string => `SELECT md5(string_agg(s::text, '|' ORDER BY ${key})) FROM ${table} s`;
const pgTypeNames: Record<string, string> = { int8: 'bigint', int4: 'integer', timestamptz: 'timestamp with time zone' };

describe('seedSales', () => {
  let lite: PGlite;
  let runner: SqlRunner;

  beforeAll(async () => {
    lite = await PGlite.create();
    runner = pgliteRunner(lite);
    await runner.exec(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'`);
  });
  afterAll(async () => {
    await lite?.close();
  });

  it('isSeeded is false on a fresh database', async () => {
    expect(await isSeeded(runner, { rows: ROWS })).toBe(false);
    expect(await isSeeded(runner, { rows: ROWS, schema: 'no_such_schema' })).toBe(false);
  });

  it('seeds the requested rows with the documented columns, then isSeeded is true', async () => {
    expect(await seedSales(runner, { rows: ROWS })).toMatchObject({ rows: ROWS });
    expect(await rowsOf(runner, 'SELECT count(*) FROM sales')).toEqual([[String(ROWS)]]);
    const columns = await rowsOf(runner, `SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
      WHERE attrelid = 'public.sales'::regclass AND attnum > 0 ORDER BY attnum`);
    expect(columns).toEqual(demoSalesColumns.map((c) => [c.name, pgTypeNames[c.type] ?? c.type]));
    expect(await isSeeded(runner, { rows: ROWS })).toBe(true);
    expect(await isSeeded(runner, { rows: ROWS + 1 })).toBe(false);
  });

  it('keeps the invariants: countries in one region, amount = quantity * unit_price, 3-year range', async () => {
    expect(await rowsOf(runner, 'SELECT country FROM sales GROUP BY country HAVING count(DISTINCT region) > 1')).toEqual([]);
    expect(await rowsOf(runner, 'SELECT count(*) FROM sales WHERE amount <> quantity * unit_price')).toEqual([['0']]);
    expect(await rowsOf(runner, `SELECT min(order_ts) >= '2023-01-01T00:00:00Z' AND max(order_ts) < '2026-01-01T00:00:00Z',
      count(DISTINCT region) AS regions, count(DISTINCT channel) AS channels, count(DISTINCT category) AS categories,
      min(quantity) AS min_q, max(quantity) AS max_q FROM sales`))
      .toEqual([['true', '5', '4', '6', '1', '10']]);
    const [[returnedPct]] = (await rowsOf(runner, 'SELECT avg(returned::int) * 100 FROM sales')) as [[string]];
    expect(Number(returnedPct)).toBeGreaterThan(2);
    expect(Number(returnedPct)).toBeLessThan(5);
  });

  it('is deterministic: reseeding, or inserting in other chunks, gives the same rows', async () => {
    const [before] = await rowsOf(runner, fingerprint('sales'));
    await runner.exec('CREATE TABLE chunked (LIKE sales)');
    await runner.exec(buildSalesInsert('chunked', 7_001, ROWS, ROWS));
    await runner.exec(buildSalesInsert('chunked', 1, 7_000, ROWS));
    expect(await rowsOf(runner, fingerprint('chunked'))).toEqual([before]);
    await seedSales(runner, { rows: ROWS });
    expect(await rowsOf(runner, fingerprint('sales'))).toEqual([before]);
  });

  it('rejects a bad row count with a message that states the contract', async () => {
    await expect(seedSales(runner, { rows: 0 })).rejects.toThrow(
      'seedSales: rows must be an integer from 1 to 100000000; received: 0');
  });

  describe.skipIf(postgres === null)('on real PostgreSQL', () => {
    const pgRunner = postgres!;
    afterAll(async () => {
      await client!.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await client!.end();
    });

    it('produces bit-identical data to PGlite, whatever the session time zone', async () => {
      expect(await isSeeded(pgRunner, { rows: ROWS, schema: SCHEMA })).toBe(false);
      await pgRunner.exec(`SET TimeZone = 'America/New_York'`);
      await seedSales(pgRunner, { rows: ROWS, schema: SCHEMA });
      await pgRunner.exec(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'`);
      expect(await isSeeded(pgRunner, { rows: ROWS, schema: SCHEMA })).toBe(true);

      expect(await rowsOf(pgRunner, `SELECT count(*) FROM ${SCHEMA}.sales`)).toEqual([[String(ROWS)]]);
      const regions = await rowsOf(pgRunner, byRegion(`${SCHEMA}.sales`));
      expect(regions).toHaveLength(5);
      expect(regions).toEqual(await rowsOf(runner, byRegion('sales')));
      expect(await rowsOf(pgRunner, fingerprint(`${SCHEMA}.sales`))).toEqual(await rowsOf(runner, fingerprint('sales')));
      expect(await rowsOf(pgRunner, fingerprint(`${SCHEMA}.sales_products`, 'product_name')))
        .toEqual(await rowsOf(runner, fingerprint('sales_products', 'product_name')));
    });
  });
});
