import type pg from 'pg';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import { keptAlive, type BenchGateway } from './benchGateway.ts';

/**
 * The second bench:query table: 200,000 flights whose group estimate is far off. dep_time
 * has ~200,000 distinct values, so Postgres sizes a month bucket of it (~23 months x 9
 * carriers, ~200 groups) at ~200,000 groups; carrier is skewed (AA 4 in 13); distance is an
 * integer. Seeded once (the table is kept between runs).
 */
export const FLIGHTS_TABLE = 'i10sql_bench.flights';
export const FLIGHTS_ROWS = 200_000;

export async function ensureBenchFlights(client: pg.Client, log: (line: string) => void): Promise<{ seeded: boolean }> {
  const exists = await client.query(`select count(*)::int as n from pg_tables where schemaname = 'i10sql_bench' and tablename = 'flights'`);
  if (exists.rows[0].n === 1) {
    const count = await client.query(`select count(*)::int as n from ${FLIGHTS_TABLE}`);
    if (count.rows[0].n === FLIGHTS_ROWS) return { seeded: false };
  }
  log(`seeding ${FLIGHTS_TABLE} (${FLIGHTS_ROWS.toLocaleString('en-US')} rows)`);
  await client.query(`
    create schema if not exists i10sql_bench;
    drop table if exists ${FLIGHTS_TABLE};
    create table ${FLIGHTS_TABLE} as
    select g as id,
      timestamp '2020-01-01' + (g::int8 * 3797 % 200000) * interval '5 minutes' as dep_time,
      (array['AA','AA','AA','AA','DL','DL','UA','WN','B6','NK','F9','AS','HA'])[1 + (g * 7 % 13)] as carrier,
      (50 + (g * 31 % 2950))::int4 as distance,
      ((g::int8 * 7919) % 100003) / 100.0 as revenue,
      ((g * 13) % 120) - 20 as delay
    from generate_series(1, ${FLIGHTS_ROWS}) g;
    analyze ${FLIGHTS_TABLE}`);
  return { seeded: true };
}

/** A gateway over the flights table, with the cache on (each timed request invalidates it first: every one is a miss). */
export async function startFlightsGateway(pgUrl: string): Promise<BenchGateway> {
  const config = parseConfig(
    `
server: { port: 0, graphiql: false, defaultLimit: 1000, maxLimit: 50000 }
sources:
  bench: { kind: postgres, url: "\${BENCH_PG_URL}", pool: 4, statementTimeout: 120s }
datasets:
  flights:
    source: bench
    table: ${FLIGHTS_TABLE}
    timezone: UTC
    dimensions:
      carrier:  { type: string }
      depTime:  { type: time, column: dep_time }
      distance: { type: number }
    measures:
      revenue:  { sum: revenue }
      flights:  { count: "*" }
      avgDelay: { avg: delay }
`,
    { env: { BENCH_PG_URL: pgUrl } },
  );
  const gateway = await createGateway(config);
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1' }).catch(async (error: unknown) => {
    await gateway.close();
    throw error;
  });
  return keptAlive(gateway, server);
}

/** The flights queries, each with the aggregate a person would write for it (not the gateway's SQL). */
export const FLIGHT_QUERIES = [
  {
    title: 'flights: carrier x month over 200,000 rows (estimate ~200,000 groups, ~200 real)',
    document: '{ flights(where: { distance: { lt: 100000 } }) { rows { carrier depTime(granularity: MONTH) revenue flights avgDelay } } }',
    direct: `select carrier, date_trunc('month', dep_time) as month, sum(revenue) as revenue, count(*) as flights, avg(delay) as avg_delay
      from ${FLIGHTS_TABLE} where distance < 100000 group by 1, 2`,
  },
  {
    title: 'flights: top 10 carrier x month by revenue',
    document: '{ flights(where: { distance: { lt: 100000 } }, orderBy: [{ revenue: DESC }], limit: 10) { rows { carrier depTime(granularity: MONTH) revenue } } }',
    direct: `select carrier, date_trunc('month', dep_time) as month, sum(revenue) as revenue
      from ${FLIGHTS_TABLE} where distance < 100000 group by 1, 2 order by 3 desc limit 10`,
  },
] as const;
