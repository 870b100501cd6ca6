/**
 * The DuckDB source over files: the same events as CSV, Parquet (written by DuckDB) and
 * JSON, a materialized CSV and a `sql:` dataset over read_csv all answer like Postgres
 * over the same rows (time buckets in America/New_York across both DST changes, string
 * order by code point, filters, totals). A statement timeout interrupts a long query with
 * SOURCE_TIMEOUT and leaves the source working.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_duckdb_files';
const ZONE = 'America/New_York';
const admin = await connectTestPostgres();

/** 1,500 events every 37 minutes over the spring (2024-03-10) and fall (2024-11-03) DST changes. */
const CITIES = ['Berlin', 'berlin', 'Bogotá', 'Washington, D.C.', 'Zürich', 'Ålesund', 'Zagreb', null];
const EVENTS = Array.from({ length: 1500 }, (_, i) => ({
  ts: new Date(Date.parse(i < 750 ? '2024-03-08T00:00:00Z' : '2024-10-30T00:00:00Z') + (i % 750) * 37 * 60_000).toISOString(),
  city: CITIES[(i * 7) % CITIES.length]!,
  amount: ((i * 37) % 5000) / 100 + 1,
  qty: i % 11 === 0 ? null : 1 + (i % 7),
}));

const csvField = (v: string | number | null) => (v === null ? '' : /[",]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));
const EVENTS_CSV = ['ts,city,amount,qty', ...EVENTS.map((e) => [e.ts, e.city, e.amount, e.qty].map(csvField).join(','))].join('\n') + '\n';
const EVENTS_JSON = EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n';

const FIELDS = `
    timezone: ${ZONE}
    dimensions: { city: { type: string }, qty: { type: number }, ts: { type: time, granularity: day } }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      avgAmount: { avg: amount }
      units: { sum: qty }
      cities: { countDistinct: city }`;

const CONFIG = (dir: string) => {
  const file = (name: string) => JSON.stringify(path.join(dir, name));
  const datasets: Record<string, string> = {
    postgres: `source: warehouse\n    table: ${SCHEMA}.events`,
    csv: `source: files\n    file: ${file('events.csv')}`,
    parquet: `source: files\n    file: ${file('events.parquet')}`,
    json: `source: files\n    file: ${file('events.json')}`,
    materialized: `source: files\n    file: ${file('events.csv')}\n    materialize: true`,
    viaSql: `source: files\n    sql: ${JSON.stringify(`select * from read_csv('${path.join(dir, 'events.csv')}', header = true)`)}`,
  };
  return `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
  files: { kind: duckdb }
  slow: { kind: duckdb, statementTimeout: 100ms }
datasets:
${Object.entries(datasets).map(([name, from]) => `  ${name}:\n    ${from}${FIELDS}`).join('\n')}
  huge:
    source: slow
    sql: "select x from range(100000000) t(x)"
    measures: { distinctX: { countDistinct: x } }
  tiny:
    source: slow
    sql: "select 42 as answer"
    measures: { answers: { sum: answer } }
`;
};
const FILE_DATASETS = ['csv', 'parquet', 'json', 'materialized', 'viaSql'];

/** Each query's selection, and the same question in SQL on a session in ${ZONE}. */
const wall = (g: string) => `date_trunc('${g}', ts at time zone '${ZONE}')`;
const iso = (g: string) => `to_char(${wall(g)} at time zone '${ZONE}', 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')`;
const CASES = [
  {
    name: 'DAY buckets across the spring DST change',
    args: 'where: { ts: { gte: "2024-03-09", lt: "2024-03-12" } }',
    rows: 'day: ts(granularity: DAY) revenue orders avgAmount',
    sql: `select ${iso('day')} as day, sum(amount)::float8 as revenue, count(*)::float8 as orders, avg(amount)::float8 as "avgAmount"
      from ${SCHEMA}.events where ts >= '2024-03-09' and ts < '2024-03-12' group by ${wall('day')} order by ${wall('day')}`,
  },
  {
    name: 'HOUR buckets on the fall-back day (1 am happens twice)',
    args: 'where: { ts: { gte: "2024-11-03T00:00:00", lt: "2024-11-03T04:00:00" } }',
    rows: 'hour: ts(granularity: HOUR) orders units',
    sql: `select ${iso('hour')} as hour, count(*)::float8 as orders, sum(qty)::float8 as units
      from ${SCHEMA}.events where ts >= '2024-11-03 00:00' and ts < '2024-11-03 04:00' group by ${wall('hour')} order by ${wall('hour')}`,
  },
  {
    name: 'strings in code point order, descending, nulls last, with totals',
    args: 'orderBy: [{ city: DESC }], limit: 5',
    rows: 'city revenue units',
    totals: 'revenue orders cities avgAmount',
    sql: `select city, sum(amount)::float8 as revenue, sum(qty)::float8 as units from ${SCHEMA}.events group by city order by city collate "C" desc nulls last limit 5`,
    totalsSql: `select sum(amount)::float8 as revenue, count(*)::float8 as orders, count(distinct city)::float8 as cities, avg(amount)::float8 as "avgAmount" from ${SCHEMA}.events`,
  },
  {
    name: 'string and number filters, WEEK buckets, top 10 by revenue',
    args: 'where: { city: { in: ["Zürich", "Ålesund", "berlin"] }, qty: { gte: 3 } }, orderBy: [{ revenue: DESC }], limit: 10',
    rows: 'city week: ts(granularity: WEEK) revenue',
    sql: `select city, ${iso('week')} as week, sum(amount)::float8 as revenue from ${SCHEMA}.events
      where city in ('Zürich', 'Ålesund', 'berlin') and qty >= 3 group by city, ${wall('week')}
      order by sum(amount) desc, city collate "C", ${wall('week')} limit 10`,
  },
  {
    name: 'startsWith, MONTH buckets, avg and a calc',
    args: 'where: { city: { startsWith: "B" }, ts: { gte: "2024-03-01T00:00:00-05:00" } }',
    rows: 'city month: ts(granularity: MONTH) avgAmount units orders perOrder: calc(expr: "units / orders")',
    sql: `select city, ${iso('month')} as month, avg(amount)::float8 as "avgAmount", sum(qty)::float8 as units, count(*)::float8 as orders,
        sum(qty)::float8 / count(*) as "perOrder"
      from ${SCHEMA}.events where city like 'B%' and ts >= '2024-03-01T00:00:00-05:00' group by city, ${wall('month')} order by city collate "C", ${wall('month')}`,
  },
  {
    name: 'contains, notIn, isNull, NOT and OR; nulls last by default',
    args: 'where: { OR: [{ city: { contains: "er" } }, { city: { isNull: true } }], NOT: { qty: { notIn: [2, 3, 4] } } }',
    rows: 'city qty orders',
    sql: `select city, qty::float8 as qty, count(*)::float8 as orders from ${SCHEMA}.events
      where (position('er' in city) > 0 or city is null) and not (qty not in (2, 3, 4)) group by city, qty order by city collate "C" nulls last, qty nulls last`,
  },
];

describe.skipIf(!admin)('DuckDB source over CSV, Parquet and JSON files', () => {
  let gw: TestGateway;
  let dir: string;
  let reference: pg.Client;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA};
      create table ${SCHEMA}.events (ts timestamptz, city text, amount numeric(10,2), qty int)`);
    await admin!.query(`insert into ${SCHEMA}.events select * from unnest($1::timestamptz[], $2::text[], $3::numeric[], $4::int[])`, [
      EVENTS.map((e) => e.ts),
      EVENTS.map((e) => e.city),
      EVENTS.map((e) => e.amount),
      EVENTS.map((e) => e.qty),
    ]);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-duckdb-'));
    await writeFile(path.join(dir, 'events.csv'), EVENTS_CSV);
    await writeFile(path.join(dir, 'events.json'), EVENTS_JSON);
    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    const [csv, parquet] = [path.join(dir, 'events.csv'), path.join(dir, 'events.parquet')];
    await connection.run(`copy (select ts::TIMESTAMPTZ as ts, city, amount::DOUBLE as amount, qty::INTEGER as qty from read_csv('${csv}', header = true)) to '${parquet}' (FORMAT parquet)`);
    connection.closeSync();
    duck.closeSync();
    gw = await startTestGateway(CONFIG(dir));
    reference = new pg.Client({ connectionString: TEST_PG_URL, options: `-c TimeZone=${ZONE}` });
    await reference.connect();
  });

  afterAll(async () => {
    await gw?.close();
    await reference?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  describe.each(CASES)('$name', ({ args, rows, totals, sql, totalsSql }) => {
    it.each(['postgres', ...FILE_DATASETS])('%s agrees with SQL over the same rows', async (dataset) => {
      const response = await gw.query(`{ ${dataset}(${args}) { rows { ${rows} } ${totals ? `totals { ${totals} }` : ''} meta { sources { source } } } }`);
      expect(response.errors).toBeUndefined();
      const result = response.data[dataset];
      expect(new Set(result.meta.sources.map((s: { source: string }) => s.source))).toEqual(new Set([dataset === 'postgres' ? 'warehouse' : 'files']));
      const want = (await reference.query(sql)).rows;
      expect(want.length).toBeGreaterThan(0);
      expectSameRows(result.rows, want, `${dataset} rows`);
      if (totalsSql) expectSameRows([result.totals], (await reference.query(totalsSql)).rows, `${dataset} totals`);
    });
  });

  it('a query past the statement timeout gives SOURCE_TIMEOUT; the source keeps answering', async () => {
    const started = Date.now();
    const slow = await gw.query('{ huge { rows { distinctX } } }');
    expect(slow.errors?.[0]?.extensions?.code).toBe('SOURCE_TIMEOUT');
    expect(slow.errors?.[0]?.message).toBe('source slow: query ran past the statement timeout of 100 ms');
    expect(Date.now() - started).toBeLessThan(5_000);
    const fine = await gw.query('{ tiny { rows { answers } } }');
    expect(fine.errors).toBeUndefined();
    expect(fine.data.tiny.rows).toEqual([{ answers: 42 }]);
    const again = await gw.query('{ huge(cache: BYPASS) { rows { distinctX } } }');
    expect(again.errors?.[0]?.extensions?.code).toBe('SOURCE_TIMEOUT');
  });
});
