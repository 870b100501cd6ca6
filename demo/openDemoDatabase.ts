import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from '../sources/index.ts';
import { isSeeded, seedSales } from './seedSales.ts';
import type { SeedProgress, SqlRunner } from './seedSales.ts';

export interface OpenDemoDatabaseOptions {
  /** Rows of demo sales; default 1,000,000. A different count than the stored seed reseeds. */
  rows?: number;
  onProgress?: (p: SeedProgress) => void;
  /** Receives human-readable progress lines (seeding, indexing, reuse). */
  log?: (line: string) => void;
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * How the demo data directory is created and run. The data can always be regenerated, so we trade
 * safety nets for size and speed:
 * - no data checksums (PG 18's initdb default is on): with checksums, the first scan after the
 *   seed sets hint bits by writing a full-page image of every page to WAL (+130 MB, 3x slower);
 * - wal_level=minimal (PGlite rewrites postgresql.conf on every open): the seed transaction loads
 *   its freshly created tables without WAL, ~220 MB on disk instead of ~410 MB for 1,000,000 rows.
 */
const DEMO_PGLITE_OPTIONS = {
  initDbStartParams: ['--no-data-checksums'],
  postgresqlconf: 'wal_level = minimal\nmax_wal_senders = 0\n',
};

/** PGlite's `exec` and `query` already have the shape of a SqlRunner; this only narrows the type. */
export const pgliteRunner = (db: PGlite): SqlRunner => ({
  exec: (sql) => db.exec(sql),
  query: (sql, params) => db.query(sql, params),
});

/**
 * Opens (creating if needed) the embedded PGlite database persisted in `dataDir` and makes sure it
 * holds the demo sales data: seeds `public.sales` when `isSeeded` says the stored data is missing,
 * from another generator version, or of another size; otherwise reuses it.
 *
 * `seeded` tells whether this call seeded; `ms` is the whole open (+ seed) time.
 * The caller owns the database and must `await db.close()` when done: closing flushes PGlite's
 * files, releases the WASM instance and the data directory's lock (one process per directory;
 * throws DataDirLocked naming the holder), and the process then exits promptly.
 */
export async function openDemoDatabase(
  dataDir: string,
  opts: OpenDemoDatabaseOptions = {},
): Promise<{ db: PGlite; seeded: boolean; ms: number }> {
  if (typeof dataDir !== 'string' || dataDir.length === 0) {
    throw new TypeError(`openDemoDatabase: dataDir must be a directory path; received: ${JSON.stringify(dataDir)}`);
  }
  const started = performance.now();
  const dir = resolve(dataDir);
  await mkdir(dirname(dir), { recursive: true });
  // One process per data directory: a second `npm start`, or a check beside this one, is told who holds it.
  const release = lockDataDir(dir);
  let db: PGlite;
  try {
    db = await PGlite.create(dir, DEMO_PGLITE_OPTIONS);
  } catch (error) {
    release();
    throw error;
  }
  // Closing the database releases the lock.
  const close = db.close.bind(db);
  db.close = async () => {
    try {
      await close();
    } finally {
      release();
    }
  };
  try {
    const runner = pgliteRunner(db);
    const seedOpts = opts.rows === undefined ? {} : { rows: opts.rows };
    if (await isSeeded(runner, seedOpts)) {
      opts.log?.(`demo sales: reusing seeded data in ${dir}`);
      return { db, seeded: false, ms: Math.round(performance.now() - started) };
    }
    const seed = await seedSales(runner, {
      ...seedOpts,
      onProgress: (p) => {
        opts.onProgress?.(p);
        const pct = Math.floor((100 * p.done) / p.total);
        opts.log?.(`seeding demo sales: ${count(p.done)} / ${count(p.total)} rows (${pct}%)`);
        if (p.done === p.total) opts.log?.('seeding demo sales: building indexes and statistics');
      },
    });
    opts.log?.(`seeded ${count(seed.rows)} demo sales rows in ${(seed.ms / 1000).toFixed(1)} s`);
    return { db, seeded: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}
