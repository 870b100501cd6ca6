/** Source adapters: one per kind, behind the Source interface. */
import type { SourceConfig } from '../schema/index.ts';
import { assertNever } from '../planner/index.ts';
import { DuckDBSource } from './DuckDBSource.ts';
import { PGliteSource } from './PGliteSource.ts';
import { PostgresSource } from './PostgresSource.ts';
import type { Source } from './Source.ts';

export type { ExecuteOptions, Source } from './Source.ts';
export { compileFor } from './compileFor.ts';
export { PostgresSource } from './PostgresSource.ts';
export { PGliteSource } from './PGliteSource.ts';
export { DuckDBSource } from './DuckDBSource.ts';
export { rowsToArrow } from './rowsToArrow.ts';
export { resultVector } from './resultVector.ts';
export { checkDatasetColumns } from './checkDatasetColumns.ts';
export { DataDirLocked, dataDirHolder, lockDataDir, lockFileOf, type LockHolder } from './dataDirLock.ts';

export function createSource(config: SourceConfig): Source {
  switch (config.kind) {
    case 'postgres':
      return new PostgresSource(config);
    case 'pglite':
      return new PGliteSource(config);
    case 'duckdb':
      return new DuckDBSource(config);
    default:
      return assertNever(config);
  }
}
