import pg from 'pg';
import { SALES_SEED_VERSION, isSeeded, seedSales, type SqlRunner } from '../demo/seedSales.ts';
import { redactUrl } from './redactUrl.ts';

export interface BenchSalesOptions {
  /** postgres:// URL of the real server the benchmark runs against. */
  readonly url: string;
  readonly schema: string;
  readonly table: string;
  readonly rows: number;
  /** Receives human-readable progress lines. */
  readonly log: (line: string) => void;
}

export interface BenchSalesTable {
  /** Quoted, qualified name, e.g. `"tributary_bench"."sales"`. */
  readonly qualified: string;
  readonly rows: number;
  /** True when this run seeded the table; false when an existing seed was reused. */
  readonly seeded: boolean;
  readonly seedMs: number;
  /** Heap + indexes + TOAST, in bytes. */
  readonly totalBytes: number;
  readonly heapBytes: number;
  readonly serverVersion: string;
}

const count = (n: number): string => n.toLocaleString('en-US');
const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * Makes sure `schema.table` on the server holds a complete seed of the demo sales generator
 * (this version, this row count), seeding it when `isSeeded` says otherwise. An advisory lock
 * keeps two benchmark runs from seeding the same table at once; the second one waits and
 * then reuses the first one's seed.
 */
export async function ensureBenchSales(options: BenchSalesOptions): Promise<BenchSalesTable> {
  const { url, schema, table, rows, log } = options;
  const qualified = `${quoteIdent(schema)}.${quoteIdent(table)}`;
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC', application_name: 'tributary-bench-seed' });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cannot reach PostgreSQL at ${redactUrl(url)} (set BENCH_PG_URL to use another server): ${(error as Error).message}`);
  }
  try {
    const runner: SqlRunner = { exec: (sql) => client.query(sql), query: (sql, params) => client.query(sql, params) };
    await client.query('select pg_advisory_lock(hashtext($1))', [`tributary-bench:${schema}.${table}`]);
    let seeded = false;
    let seedMs = 0;
    if (await isSeeded(runner, { rows, schema, table })) {
      log(`reusing ${qualified}: ${count(rows)} rows seeded by ${SALES_SEED_VERSION}`);
    } else {
      log(`seeding ${qualified} with ${count(rows)} rows (${SALES_SEED_VERSION}); this happens once`);
      const seed = await seedSales(runner, {
        rows,
        schema,
        table,
        onProgress: (p) => {
          log(`  ${count(p.done)} / ${count(p.total)} rows (${Math.floor((100 * p.done) / p.total)}%)`);
          if (p.done === p.total) log('  building indexes and statistics');
        },
      });
      // Freshly inserted pages lack hint bits and a visibility map; without this the first
      // timed scans would pay for writing them, and index scans would visit the heap more.
      log('  vacuuming');
      await client.query(`vacuum (analyze) ${qualified}`);
      seeded = true;
      seedMs = seed.ms;
      log(`seeded ${count(seed.rows)} rows in ${(seed.ms / 1000).toFixed(1)} s`);
    }
    const sizes = await client.query<{ total: string; heap: string; version: string }>(
      'select pg_total_relation_size($1::regclass)::text as total, pg_relation_size($1::regclass)::text as heap, current_setting($2) as version',
      [qualified, 'server_version'],
    );
    const size = sizes.rows[0]!;
    return { qualified, rows, seeded, seedMs, totalBytes: Number(size.total), heapBytes: Number(size.heap), serverVersion: size.version };
  } finally {
    // Ending the session releases the advisory lock.
    await client.end();
  }
}
