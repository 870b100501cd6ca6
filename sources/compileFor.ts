import { canonicalJson, compileSql, type AggregatePlan, type CompiledQuery, type CompileOptions } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { Source } from './Source.ts';

/** Statements compiled for frozen plans: plan -> column types (or NO_TYPES) -> dialect, dataset and totals. */
const compiled = new WeakMap<AggregatePlan, WeakMap<object, Map<string, CompiledQuery>>>();
const NO_TYPES = {};

/**
 * Compiles a plan for the source that runs it: in its dialect, with parameters typed as
 * the columns the source reported when the dataset was checked (else as the dimensions).
 *
 * A frozen plan (the planner memoizes and freezes the plans of repeated requests) keeps its
 * statement for as long as it lives: the statement depends only on the plan, the dataset,
 * the dialect, the totals asked for and the column types, and the column types are an
 * object replaced (never changed) when a source learns them, so a new one compiles anew.
 */
export function compileFor(source: Source, plan: AggregatePlan, dataset: DatasetConfig, options: Omit<CompileOptions, 'columnTypes'> = {}): CompiledQuery {
  const columnTypes = source.columnTypesOf?.(source.dialect.relation(dataset));
  const compile = () => compileSql(plan, dataset, source.dialect, { ...options, ...(columnTypes ? { columnTypes } : {}) });
  if (!Object.isFrozen(plan)) return compile();
  let byTypes = compiled.get(plan);
  if (!byTypes) compiled.set(plan, (byTypes = new WeakMap()));
  let byRest = byTypes.get(columnTypes ?? NO_TYPES);
  if (!byRest) byTypes.set(columnTypes ?? NO_TYPES, (byRest = new Map()));
  const key = `${source.dialect.name}\u0000${dataset.name}\u0000${options.totals ? canonicalJson(options.totals) : ''}`;
  let query = byRest.get(key);
  if (!query) byRest.set(key, (query = Object.freeze(compile())));
  return query;
}
