import { Table, type Vector } from 'apache-arrow';
import type { AggregatePlan } from '../../planner/index.ts';
import { resultVector } from '../../sources/index.ts';
import type { CodedColumn, NumberColumn } from './columns.ts';

/**
 * The result table of `plan` as a source would return it: dimension keys, then leaf
 * keys, in plan order, for the `selected` groups in that order.
 */
export function buildResultTable(
  plan: AggregatePlan,
  dimensions: readonly CodedColumn[],
  leaves: readonly NumberColumn[],
  selected: Int32Array,
): Table {
  const vectors: Record<string, Vector> = {};
  plan.dimensions.forEach((d, i) => {
    const { codes, values } = dimensions[i]!;
    vectors[d.key] = resultVector(d.type, selected.length, (r) => values[codes[selected[r]!]!]);
  });
  plan.measures.forEach((leaf, i) => {
    const { values, valid } = leaves[i]!;
    vectors[leaf.key] = resultVector('number', selected.length, (r) => {
      const g = selected[r]!;
      return valid && valid[g] === 0 ? null : values[g];
    });
  });
  if (plan.dimensions.length === 0 && plan.measures.length === 0) {
    // Neither dimensions nor measures (`rows { __typename }`): still one group, as SQL's
    // `select count(*) from t` is one row. An Arrow table without columns has no rows, so
    // a column carries them, named as compileSql names its count; no resolver reads it.
    vectors._count = resultVector('number', selected.length, () => null);
  }
  return new Table(vectors);
}
