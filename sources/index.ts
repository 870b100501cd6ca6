/** Source adapters: one per kind, behind the Source interface. */
import type { SourceConfig } from '../schema/index.ts';
import { assertNever } from '../planner/index.ts';
import { DuckDBSource } from './DuckDBSource.ts';
import { PGliteSource } from './PGliteSource.ts';
import { PostgresSource } from './PostgresSource.ts';
import type { Source } from './Source.ts';
import { TrinoSource } from './TrinoSource.ts';

export type { ExecuteOptions, Source, SourceProgress } from './Source.ts';
export { compileFor } from './compileFor.ts';
export { PostgresSource } from './PostgresSource.ts';
export { PGliteSource } from './PGliteSource.ts';
export { DuckDBSource } from './DuckDBSource.ts';
export { TrinoSource, describeProgress } from './TrinoSource.ts';
export type { TrinoProgress } from './TrinoProtocol.ts';
export { rowsToArrow } from './rowsToArrow.ts';
export { resultVector } from './resultVector.ts';
export { checkDatasetColumns } from './checkDatasetColumns.ts';
export { DataDirLocked, dataDirHolder, lockDataDir, lockFileOf, type LockHolder } from './dataDirLock.ts';

/** `log` receives a source's progress lines (Trino: long queries every 5 s). */
export function createSource(config: SourceConfig, log?: (line: string) => void): Source {
  switch (config.kind) {
    case 'postgres':
      return new PostgresSource(config);
    case 'pglite':
      return new PGliteSource(config);
    case 'duckdb':
      return new DuckDBSource(config);
    case 'trino':
      return new TrinoSource(config, log);
    default:
      return assertNever(config);
  }
}
