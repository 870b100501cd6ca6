import { ConfigError } from '../errors/index.ts';
import { referencedNames } from '../planner/index.ts';
import type { DatasetConfig } from '../schema/index.ts';
import type { Source } from './Source.ts';

/**
 * Checks a dataset against its source: the relation exists and every column the
 * dimensions and measures name is in it. Returns the problems, each naming its config path.
 * Source failures (unreachable, missing table) propagate as errors of their own.
 */
export async function checkDatasetColumns(dataset: DatasetConfig, source: Source): Promise<ConfigError[]> {
  const from = source.dialect.relation(dataset);
  const relation =
    dataset.from.kind === 'table' ? `table ${dataset.from.table}` : dataset.from.kind === 'file' ? `file ${dataset.from.path}` : 'the dataset sql';
  let columns: readonly string[];
  try {
    columns = await source.columnsOf(from);
  } catch (error) {
    return [new ConfigError(`datasets.${dataset.name}.${dataset.from.kind}`, `${(error as Error).message}`)];
  }
  const known = new Set(columns);
  const problems: ConfigError[] = [];
  const unknown = (path: string, column: string) =>
    problems.push(new ConfigError(path, `unknown column "${column}" in ${relation}; its columns are: ${columns.join(', ')}`));
  for (const dim of Object.values(dataset.dimensions)) {
    if (!known.has(dim.column)) unknown(`datasets.${dataset.name}.dimensions.${dim.name}`, dim.column);
  }
  for (const measure of Object.values(dataset.measures)) {
    for (const column of measure.expr ? referencedNames(measure.expr) : []) {
      if (!known.has(column)) unknown(`datasets.${dataset.name}.measures.${measure.name}`, column);
    }
  }
  return problems;
}
