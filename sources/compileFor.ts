import { compileSql, type AggregatePlan, type CompiledQuery, type CompileOptions } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { Source } from './Source.ts';

/**
 * Compiles a plan for the source that runs it: in its dialect, with parameters typed as
 * the columns the source reported when the dataset was checked (else as the dimensions).
 */
export function compileFor(source: Source, plan: AggregatePlan, dataset: DatasetConfig, options: Omit<CompileOptions, 'columnTypes'> = {}): CompiledQuery {
  const columnTypes = source.columnTypesOf?.(source.dialect.relation(dataset));
  return compileSql(plan, dataset, source.dialect, { ...options, ...(columnTypes ? { columnTypes } : {}) });
}
