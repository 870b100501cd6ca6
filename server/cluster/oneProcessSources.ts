import type { Config } from '../../schema/index.ts';

/** A source whose database lives in this process, and why that matters to workers. */
export interface EmbeddedSource {
  readonly name: string;
  readonly kind: 'pglite' | 'duckdb';
  /** The data directory or database file; null when in memory. */
  readonly file: string | null;
}

/**
 * Embedded sources of a config (PGlite, DuckDB): their database runs inside the process.
 *
 * - On disk (pglite `dataDir`, duckdb `path`), one process owns it: PGlite has no
 *   postmaster and two processes writing one directory crash it (sources/dataDirLock.ts);
 *   DuckDB opens a database file read-write in one process only. N workers cannot serve it.
 * - In memory, each worker opens its own copy (seeded or loaded by each), which works but
 *   multiplies memory and load time by N.
 */
export function embeddedSources(config: Config): readonly EmbeddedSource[] {
  const found: EmbeddedSource[] = [];
  for (const source of Object.values(config.sources)) {
    if (source.kind === 'pglite') found.push({ name: source.name, kind: 'pglite', file: source.dataDir ?? null });
    else if (source.kind === 'duckdb') found.push({ name: source.name, kind: 'duckdb', file: source.path ?? null });
  }
  return found;
}

/**
 * Why `serve --workers N` (N > 1) cannot serve this config, or null when it can: the first
 * embedded source on disk, named with its file and what to do instead.
 */
export function workersRefusal(config: Config, workers: number): string | null {
  const owned = embeddedSources(config).find((s) => s.file !== null);
  if (!owned) return null;
  const what = owned.kind === 'pglite' ? `PGlite data directory ${owned.file}` : `DuckDB database file ${owned.file}`;
  return (
    `--workers ${workers}: source ${owned.name} is an embedded database on disk (${what}), which only one process may open; ` +
    `${workers} worker processes cannot share it. Serve this config with --workers 1, or move the data to a postgres source, which every worker connects to.`
  );
}
