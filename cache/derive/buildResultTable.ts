import { Bool, Float64, Table, Utf8, vectorFromArray, type DataType, type Vector } from 'apache-arrow';
import type { AggregatePlan } from '../../planner/index.ts';
import type { DimensionType } from '../../schema/index.ts';
import type { CodedColumn, NumberColumn } from './columns.ts';

const ARROW_TYPE: Readonly<Record<DimensionType, () => DataType>> = {
  string: () => new Utf8(),
  number: () => new Float64(),
  boolean: () => new Bool(),
  time: () => new Float64(), // wall-clock epoch ms, as rowsToArrow builds them
};

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
    const out = Array.from(selected, (g) => values[codes[g]!]!);
    vectors[d.key] = vectorFromArray(out, ARROW_TYPE[d.type]());
  });
  plan.measures.forEach((leaf, i) => {
    const { values, valid } = leaves[i]!;
    const out = Array.from(selected, (g) => (valid && valid[g] === 0 ? null : values[g]!));
    vectors[leaf.key] = vectorFromArray(out, new Float64());
  });
  if (plan.dimensions.length === 0 && plan.measures.length === 0) {
    // Neither dimensions nor measures (`rows { __typename }`): still one group, as SQL's
    // `select count(*) from t` is one row. An Arrow table without columns has no rows, so
    // a column carries them, named as compileSql names its count; no resolver reads it.
    vectors._count = vectorFromArray(Array.from(selected, () => null), new Float64());
  }
  return new Table(vectors);
}
