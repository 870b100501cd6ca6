/**
 * Relations across sources: `orders` on Postgres has 1,200 customers; its `customer`
 * relation reads `customers` from a CSV on DuckDB, and its composite `goal` relation reads
 * `channelGoals` from a second Postgres source. A request resolving 1,000 relation fields
 * makes one query to the relation's source, with the keys as one bound list; a repeated
 * request is answered from the cache.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from '../planner/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_relations';
const admin = await connectTestPostgres();

/** Customers 1..1150 except every 97th: orders of 97, 194, ... and of 1151..1200 find none. */
const CUSTOMERS = Array.from({ length: 1150 }, (_, i) => i + 1)
  .filter((id) => id % 97 !== 0)
  .map((id) => ({ id, name: `Customer ${id}`, segment: ['retail', 'smb', 'enterprise'][id % 3]!, creditLimit: 1000 + ((id * 7919) % 9000) }));

const CONFIG = (url: string, customersFile: string) => `
sources:
  warehouse: { kind: postgres, url: "${url}" }
  planning: { kind: postgres, url: "${url}" }
  files: { kind: duckdb }
datasets:
  orders:
    source: warehouse
    table: ${SCHEMA}.orders
    dimensions:
      customerId: { type: number, column: customer_id }
      region: { type: string }
      channel: { type: string }
    measures:
      revenue: { sum: amount }
      orderCount: { count: "*" }
    relations:
      customer: { dataset: customers, on: { customerId: customerId } }
      goal: { dataset: channelGoals, on: { region: region, channel: channel } }
  customers:
    source: files
    file: ${JSON.stringify(customersFile)}
    dimensions:
      customerId: { type: number, column: customer_id }
      name: { type: string }
      segment: { type: string }
    measures:
      creditLimit: { sum: credit_limit }
  channelGoals:
    source: planning
    table: ${SCHEMA}.channel_goals
    dimensions:
      region: { type: string }
      channel: { type: string }
    measures:
      goal: { sum: goal }
`;

const BIG_QUERY = `{
  orders(orderBy: [{ customerId: ASC }], limit: 1000) {
    rows { customerId revenue customer { name segment creditLimit perThousand: calc(expr: "creditLimit / 1000") } }
  }
}`;

describe.skipIf(!admin)('relations: batched cross-source lookups', () => {
  let gw: TestGateway;
  let dir: string;
  /** Every query the DuckDB source ran, as compiled. */
  const filesQueries: CompiledQuery[] = [];
  const queriesOf = (source: string) => readMetric(gw, 'tributary_source_queries_total', { source });

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.orders as
      select g as id, 1 + g % 1200 as customer_id,
        case when g % 53 = 0 then null else (array['North','South','East','West'])[1 + g % 4] end as region,
        (array['web','store','partner'])[1 + (g / 4) % 3] as channel,
        (((g * 37) % 5000) / 100.0 + 1)::numeric(10,2) as amount
      from generate_series(1, 12000) g;
      create table ${SCHEMA}.channel_goals as
      select r as region, c as channel, (100 * length(r) + length(c))::numeric as goal
      from unnest(array['North','South','East','West']) r, unnest(array['web','store','partner']) c
      where not (r = 'East' and c = 'partner')`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-relations-'));
    const file = path.join(dir, 'customers.csv');
    await writeFile(file, ['customer_id,name,segment,credit_limit', ...CUSTOMERS.map((c) => `${c.id},${c.name},${c.segment},${c.creditLimit}`)].join('\n') + '\n');
    gw = await startTestGateway(CONFIG(TEST_PG_URL, file));
    const files = gw.gateway.sources.get('files')!;
    const execute = files.execute.bind(files);
    files.execute = (query, options) => (filesQueries.push(query), execute(query, options));
  });

  afterAll(async () => {
    await gw?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('1,000 rows with the relation selected make one query to its source, keys bound', async () => {
    const [before, beforeOrders] = [await queriesOf('files'), await queriesOf('warehouse')];
    const response = await gw.query(BIG_QUERY);
    expect(response.errors).toBeUndefined();
    expect(await queriesOf('files')).toBe(before + 1);
    expect(await queriesOf('warehouse')).toBe(beforeOrders + 1);
    expect(filesQueries).toHaveLength(1);

    const rows = response.data.orders.rows as { customerId: number; revenue: number; customer: Record<string, unknown> | null }[];
    const revenue = await admin!.query(`select customer_id::float8 as "customerId", sum(amount)::float8 as revenue from ${SCHEMA}.orders group by 1 order by 1 limit 1000`);
    expectSameRows(rows.map(({ customer: _, ...row }) => row), revenue.rows, 'orders rows');
    const byId = new Map(CUSTOMERS.map((c) => [c.id, c]));
    const want = rows.map(({ customerId }) => {
      const c = byId.get(customerId);
      return c ? { name: c.name, segment: c.segment, creditLimit: c.creditLimit, perThousand: c.creditLimit / 1000 } : null;
    });
    expect(rows.map((r) => r.customer)).toEqual(want);
    expect(want.filter((c) => c === null)).toHaveLength(10); // 97, 194, ..., 970 have no customer row

    // The keys reach DuckDB as one bound list: no key is written into the SQL text.
    const [{ sql, params }] = filesQueries as [CompiledQuery];
    expect(sql).toContain('any($');
    const list = params.find(Array.isArray) as number[];
    expect([...list].sort((a, b) => a - b)).toEqual(rows.map((r) => r.customerId));
    const code = sql.replace(/'[^']*'/g, "''"); // without the file path literal
    for (const key of [97, 123, 555, 999, 1000]) expect(code).not.toMatch(new RegExp(`\\b${key}\\b`));
  });

  it('the same request again is answered from the cache: no source query', async () => {
    await gw.query(BIG_QUERY); // the first test may have been skipped by a filter
    const [before, beforeOrders] = [await queriesOf('files'), await queriesOf('warehouse')];
    const count = filesQueries.length;
    const response = await gw.query(BIG_QUERY);
    expect(response.errors).toBeUndefined();
    expect(response.data.orders.rows).toHaveLength(1000);
    expect(response.data.orders.rows[0].customer).toEqual({ name: 'Customer 1', segment: 'smb', creditLimit: 1000 + 7919, perThousand: 8.919 });
    expect(await queriesOf('files')).toBe(before);
    expect(await queriesOf('warehouse')).toBe(beforeOrders);
    expect(filesQueries).toHaveLength(count);
  });

  it('a composite-key relation on a second Postgres source: one query, nulls for missing and null keys', async () => {
    const before = await queriesOf('planning');
    const response = await gw.query(`{
      orders(orderBy: [{ region: ASC }, { channel: ASC }]) {
        rows { region channel orderCount goal { goal double: calc(expr: "goal * 2") } }
      }
    }`);
    expect(response.errors).toBeUndefined();
    expect(await queriesOf('planning')).toBe(before + 1);
    const want = await admin!.query(`
      select o.region, o.channel, count(*)::float8 as "orderCount",
        case when g.goal is null then null else json_build_object('goal', g.goal::float8, 'double', g.goal::float8 * 2) end as goal
      from ${SCHEMA}.orders o left join ${SCHEMA}.channel_goals g on g.region = o.region and g.channel = o.channel
      group by o.region, o.channel, g.goal
      order by o.region asc nulls last, o.channel asc nulls last`);
    const rows = response.data.orders.rows as Record<string, unknown>[];
    expect(rows).toEqual(want.rows);
    expect(rows.filter((r) => r.goal === null).map((r) => `${r.region}/${r.channel}`)).toEqual(['East/partner', 'null/partner', 'null/store', 'null/web']);
  });
});
