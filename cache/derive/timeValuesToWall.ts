import { assertNever, instantToWall, type Filter } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';

/**
 * Rewrites the values of predicates on time dimensions from ISO instants (as plans hold
 * them) to wall-clock ms in the dataset's zone (as cached time columns hold bucket starts).
 */
export function timeValuesToWall(f: Filter, dataset: DatasetConfig): Filter {
  const wall = (v: string | number | boolean) => instantToWall(Date.parse(String(v)), dataset.timezone);
  const isTime = (field: string) => dataset.dimensions[field]?.type === 'time';
  switch (f.kind) {
    case 'const':
    case 'match':
    case 'isNull':
      return f;
    case 'and':
    case 'or':
      return { kind: f.kind, args: f.args.map((arg) => timeValuesToWall(arg, dataset)) };
    case 'not':
      return { kind: 'not', arg: timeValuesToWall(f.arg, dataset) };
    case 'compare':
      return isTime(f.field) ? { ...f, value: wall(f.value) } : f;
    case 'in':
      return isTime(f.field) ? { ...f, values: f.values.map(wall) } : f;
    default:
      return assertNever(f);
  }
}
