import pg from 'pg';
import { TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

/** The table the differential suite queries: 20,000 rows with nulls, DST-spanning times, ties. */
export const DIFF_SCHEMA = 'tributary_diff';
export const DIFF_ZONE = 'America/New_York';

/** Creates it in `schema` (default DIFF_SCHEMA); a suite that may run beside the others uses a schema of its own. */
export async function createDiffTable(client: pg.Client, schema: string = DIFF_SCHEMA): Promise<void> {
  await client.query(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  // Deterministic rows from integer hashing; nulls in region, qty and price; times over two
  // years in UTC so buckets cross both DST changes of New York each year.
  await client.query(`
    create table ${schema}.facts as
    select g as id,
      timestamptz '2023-01-01 00:00:00+00' + ((g::int8 * 2654435761) % 63072000) * interval '1 second' as ts,
      (array['North','South','East','West','Central'])[1 + (g * 7) % 5] as region_raw,
      'P' || (1 + (g * 13) % 8) as product,
      (array['web','store','partner'])[1 + (g * 11) % 3] as channel,
      case when g % 17 = 0 then null else 1 + (g * 5) % 9 end as qty,
      case when g % 23 = 0 then null else ((g * 37) % 2000) / 100.0 + 1 end::numeric(8,2) as price,
      (g * 3) % 7 = 0 as flag,
      1 + (g * 31) % 997 as customer,
      (g * 19) % 50 as weight
    from generate_series(1, 20000) g`);
  await client.query(`
    alter table ${schema}.facts add column region text;
    update ${schema}.facts set region = case when id % 29 = 0 then null else region_raw end;
    alter table ${schema}.facts drop column region_raw;
    alter table ${schema}.facts add column amount numeric(12,2);
    update ${schema}.facts set amount = price * qty;
    alter table ${schema}.facts add column cost numeric(12,2);
    update ${schema}.facts set cost = round(amount * 0.6, 2);
    analyze ${schema}.facts`);
}

export const DIFF_CONFIG = (url: string) => `
server: { defaultLimit: 1000, maxLimit: 50000 }
# The result cache is off: this suite checks the SQL the planner pushes down.
# test/cacheSessions.test.ts checks answers computed from the cache.
cache: { enabled: false }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  facts:
    source: warehouse
    table: ${DIFF_SCHEMA}.facts
    timezone: ${DIFF_ZONE}
    dimensions:
      region: { type: string }
      product: { type: string }
      channel: { type: string }
      qty: { type: number }
      flag: { type: boolean }
      ts: { type: time, granularity: day }
    measures:
      revenue: { sum: amount }
      cost: { sum: cost }
      orders: { count: "*" }
      qtyCount: { count: qty }
      customers: { countDistinct: customer }
      avgPrice: { avg: price }
      maxAmount: { max: amount }
      minAmount: { min: amount }
      notional: { sum: "weight * qty" }
`;

/** Each measure as the test writes it in SQL, independently of the planner. */
export const MEASURE_SQL: Record<string, string> = {
  revenue: 'sum(amount)',
  cost: 'sum(cost)',
  orders: 'count(*)',
  qtyCount: 'count(qty)',
  customers: 'count(distinct customer)',
  avgPrice: 'avg(price)',
  maxAmount: 'max(amount)',
  minAmount: 'min(amount)',
  notional: 'sum(weight * qty)',
};
export const MEASURES = Object.keys(MEASURE_SQL);
export const DIMENSIONS = { region: 'string', product: 'string', channel: 'string', qty: 'number', flag: 'boolean', ts: 'time' } as const;
export const GRANULARITIES = ['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;

/** A differential suite's parts: the gateway under test and the reference client (a session in the dataset's zone). */
export interface DiffSuite {
  readonly gw: TestGateway;
  readonly expected: pg.Client;
  /** Stops both, drops the table and ends `admin`. */
  close(): Promise<void>;
}

/** Creates the table, starts a gateway on `config` and connects the reference client. */
export async function openDiffSuite(admin: pg.Client, config: string): Promise<DiffSuite> {
  await createDiffTable(admin);
  const gw = await startTestGateway(config);
  const expected = new pg.Client({ connectionString: TEST_PG_URL, options: `-c TimeZone=${DIFF_ZONE}` });
  await expected.connect();
  return {
    gw,
    expected,
    async close() {
      await gw.close();
      await expected.end();
      await admin.query(`drop schema if exists ${DIFF_SCHEMA} cascade`);
      await admin.end();
    },
  };
}
