import { MAX_SEED_ROWS, buildSalesInsert } from './buildSalesInsert.ts';
import { demoSalesColumns } from './demoSalesColumns.ts';
import { demoCategories, demoProducts } from './salesCatalog.ts';

export { demoSalesColumns } from './demoSalesColumns.ts';
export type { DemoSalesColumn } from './demoSalesColumns.ts';

/**
 * The little a seeder needs from a database session: see `pgliteRunner` for PGlite; wrap a `pg.Client` as
 * `{ exec: (sql) => client.query(sql), query: (sql, params) => client.query(sql, params) }`.
 * Must be ONE session (a Client, not a Pool).
 */
export interface SqlRunner {
  exec(sql: string): Promise<unknown>;
  query(sql: string, params?: unknown[]): Promise<{ rows: any[] }>;
}

export interface SeedProgress {
  /** Rows inserted so far; equals `total` after the last chunk. */
  done: number;
  total: number;
  table: string;
}

export interface SeedSalesOptions {
  /** Rows to generate, 1..100,000,000. Default 1,000,000. */
  rows?: number;
  /** Default `sales`. A `<table>_products` lookup is created beside it. */
  table?: string;
  /** Created if missing. Default `public`. */
  schema?: string;
  /** Called after every chunk of `SEED_CHUNK_ROWS` rows. */
  onProgress?: (p: SeedProgress) => void;
}

/**
 * Identifies the generator. Bump it whenever a change would produce different rows, so databases
 * seeded by an older version are reseeded instead of reused.
 */
export const SALES_SEED_VERSION = 'tributary-sales-v1';

/** Rows per `INSERT … SELECT`; progress is reported after each. */
export const SEED_CHUNK_ROWS = 100_000;

/** Lets timers and I/O callbacks run (a macrotask turn), then resumes. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function getValidRows(rows: unknown): number {
  if (rows === undefined) return 1_000_000;
  if (typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1 || rows > MAX_SEED_ROWS) {
    throw new RangeError(`seedSales: rows must be an integer from 1 to ${MAX_SEED_ROWS}; received: ${String(rows)}`);
  }
  return rows;
}

function getValidName(what: string, name: unknown, fallback: string): string {
  if (name === undefined) return fallback;
  if (typeof name !== 'string' || name.length === 0 || name.length > 63) {
    throw new TypeError(`seedSales: ${what} must be a name of 1 to 63 characters; received: ${JSON.stringify(name)}`);
  }
  return name;
}

interface SeedTarget {
  readonly rows: number;
  readonly table: string;
  readonly schema: string;
  /** Quoted, schema-qualified names. */
  readonly sales: string;
  readonly products: string;
  readonly meta: string;
}

function resolve(opts: SeedSalesOptions): SeedTarget {
  const table = getValidName('table', opts.table, 'sales');
  const schema = quoteIdent(getValidName('schema', opts.schema, 'public'));
  return {
    rows: getValidRows(opts.rows),
    table,
    schema,
    sales: `${schema}.${quoteIdent(table)}`,
    products: `${schema}.${quoteIdent(`${table}_products`)}`,
    meta: `${schema}.tributary_demo_meta`,
  };
}

/**
 * (Re)creates the demo sales table and fills it with `rows` deterministic rows generated inside
 * the database (see `buildSalesInsert`), then indexes and analyzes it and records the seed in the
 * one-row `tributary_demo_meta` table, and finally VACUUMs it. Any existing table of that name is
 * dropped.
 *
 * Runs as ONE transaction, so it must not be called inside one: an interrupted seed leaves the
 * previous state behind (never a half-filled table that `isSeeded` would accept), and under
 * wal_level=minimal (see `openDemoDatabase`) the new tables are loaded without writing WAL.
 */
export async function seedSales(db: SqlRunner, opts: SeedSalesOptions = {}): Promise<{ rows: number; ms: number }> {
  const started = performance.now();
  const target = resolve(opts);
  await db.exec('BEGIN');
  try {
    await createTables(db, target);
    for (let first = 1; first <= target.rows; first += SEED_CHUNK_ROWS) {
      const last = Math.min(target.rows, first + SEED_CHUNK_ROWS - 1);
      await db.exec(buildSalesInsert(target.sales, first, last, target.rows));
      opts.onProgress?.({ done: last, total: target.rows, table: target.table });
      // PGlite settles its promises as microtasks, so without this the event loop would get no
      // turn until the whole seed is done: progress written by asynchronous I/O (the pino
      // logger's stderr, a socket) would be held back and printed all at once at the end.
      await yieldToEventLoop();
    }
    // Indexes are built after loading: one sort beats a million index insertions.
    await db.exec(`ALTER TABLE ${target.sales} ADD PRIMARY KEY (id);
CREATE INDEX ON ${target.sales} (order_ts);
ANALYZE ${target.sales};
ANALYZE ${target.products};`);
    await db.query(`INSERT INTO ${target.meta} (version, rows, seeded_at) VALUES ($1, $2, now())`, [SALES_SEED_VERSION, target.rows]);
    await db.exec('COMMIT');
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
  // Sets hint bits and the visibility map now rather than during the first demo query (which
  // would rewrite every page), and lets count-style queries use index-only scans.
  await db.exec(`VACUUM ${target.sales}`);
  return { rows: target.rows, ms: Math.round(performance.now() - started) };
}

async function createTables(db: SqlRunner, { schema, sales, products, meta }: SeedTarget): Promise<void> {
  const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;
  const columns = demoSalesColumns.map((c) => `${c.name} ${c.type} NOT NULL`).join(', ');
  const productRows = demoProducts
    .map((p) => `(${quote(p.name)}, ${quote(demoCategories[p.category]!)}, ${(p.listPriceCents / 100).toFixed(2)})`);
  await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};
DROP TABLE IF EXISTS ${meta}, ${sales}, ${products};
CREATE TABLE ${meta} (version text NOT NULL, rows int8 NOT NULL, seeded_at timestamptz NOT NULL);
CREATE TABLE ${sales} (${columns});
CREATE TABLE ${products} (product_name text PRIMARY KEY, category text NOT NULL, list_price numeric(10,2) NOT NULL);
INSERT INTO ${products} VALUES ${productRows.join(', ')};`);
}

/**
 * True when `schema` holds a complete seed of this generator version with the requested row count
 * (and the sales table still exists), so the data can be reused as is. On a fresh database, or a
 * schema that does not exist, it answers false rather than throwing.
 */
export async function isSeeded(db: SqlRunner, opts: Omit<SeedSalesOptions, 'onProgress'> = {}): Promise<boolean> {
  const { rows, sales, meta } = resolve(opts);
  const found = await db.query('SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS ok', [meta, sales]);
  if (found.rows[0]?.ok !== true) return false;
  const seeded = await db.query(`SELECT version, rows::text AS rows FROM ${meta}`);
  return seeded.rows.length === 1 && seeded.rows[0].version === SALES_SEED_VERSION && seeded.rows[0].rows === String(rows);
}
