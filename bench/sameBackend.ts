import pg from 'pg';
import type { Gateway } from '../server/index.ts';

/** The part of the gateway's Postgres pool the benchmark borrows (sources/PostgresPool.ts). */
interface BorrowablePool {
  checkout(): Promise<pg.PoolClient>;
  release(client: pg.PoolClient): void;
}

/**
 * Runs the hand-written statement on the gateway's own pooled connection, so the direct side
 * and the gateway's requests execute on the same Postgres backend. The pool hands out its
 * most recently released connection (pg-pool keeps idle clients as a stack) and the
 * benchmark's requests run one at a time, so both sides get the same one.
 *
 * Why: on these machines the same statement runs at steadily different speeds in different
 * backends (EXPLAIN ANALYZE of one indexed aggregate: 12.3 ms in some, 17-18.5 ms in others,
 * for hundreds of runs; see `backendSpread`), which would decide a ratio near 1.0 by which
 * backend each side happened to get. The benchmark reports that spread too.
 */
export function onGatewayBackend(gateway: Gateway, sourceName: string): (sql: string) => Promise<pg.QueryResult> {
  const source = gateway.sources.get(sourceName);
  const pool = (source as unknown as { pool?: BorrowablePool } | undefined)?.pool;
  if (!pool) throw new Error(`source ${sourceName} has no Postgres pool to borrow`);
  return async (sql) => {
    const client = await pool.checkout();
    try {
      return await client.query(sql);
    } finally {
      pool.release(client);
    }
  };
}

/** Median milliseconds of `sql` on each of `backends` fresh connections (`runs` runs each, after one warm-up). */
export async function backendSpread(url: string, sql: string, backends = 4, runs = 10): Promise<number[]> {
  const medians: number[] = [];
  for (let b = 0; b < backends; b++) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const started = performance.now();
        await client.query(sql);
        times.push(performance.now() - started);
      }
      times.sort((x, y) => x - y);
      medians.push(times[Math.floor(times.length / 2)]!);
    } finally {
      await client.end();
    }
  }
  return medians;
}
