import type { Table } from 'apache-arrow';
import type { AggregatePlan, LeafMeasure, PlanDimension, Scalar } from '../../planner/index.ts';
import { buildResultTable } from './buildResultTable.ts';
import type { CodedColumn, NumberColumn } from './columns.ts';
import { codedColumnOf, numberColumnOf } from './columnCache.ts';
import type { Groups } from './groupRows.ts';
import { reaggregate } from './reaggregate.ts';

/**
 * Merges partial aggregates of disjoint parts of the same rows (the time slices of a
 * progressive answer) into the aggregate over their union, grouped by `dimensions`: each
 * input table holds those dimension keys and the `leaves` (as a core's table does). Sums
 * and counts add, mins and maxes combine, with the same rules (and the same compensated,
 * rounded summation) as a roll-up of cached groups, so the merge equals the aggregate the
 * source computes over the union.
 *
 * A distinct count does not merge: a value seen in two parts counts once in the union. It
 * is given as the sum of the parts' values (an upper bound), and `exact` is false when any
 * leaf is such an estimate: the caller gets the exact answer another way.
 */
export function mergePartials(
  tables: readonly Table[],
  dimensions: readonly PlanDimension[],
  leaves: readonly LeafMeasure[],
): { readonly table: Table; readonly exact: boolean } {
  // One dictionary per dimension across the parts: a group is the tuple of its codes.
  const dictionaries = dimensions.map(() => new Map<Scalar | null, number>());
  const dimensionValues: (Scalar | null)[][] = dimensions.map(() => []);
  const groupIds = new Map<string, number>();
  const firstCodes: number[][] = [];
  let total = 0;
  for (const table of tables) total += table.numRows;
  const groupOf = new Int32Array(total);
  let at = 0;
  for (const table of tables) {
    const coded: CodedColumn[] = dimensions.map((d) => codedColumnOf(table.getChild(d.key)!));
    // Each part's own codes, mapped once per distinct value to the merged dictionary.
    const remap = coded.map((column, i) => column.values.map((value) => codeOf(dictionaries[i]!, dimensionValues[i]!, value)));
    for (let r = 0; r < table.numRows; r++, at++) {
      const codes = coded.map((column, i) => remap[i]![column.codes[r]!]!);
      const key = codes.join(',');
      let id = groupIds.get(key);
      if (id === undefined) {
        groupIds.set(key, (id = firstCodes.length));
        firstCodes.push(codes);
      }
      groupOf[at] = id;
    }
  }
  // Without dimensions the parts make one group, even when there are no parts.
  const count = dimensions.length === 0 ? 1 : firstCodes.length;
  const groups: Groups = { count, groupOf, firstRow: identity(count) };
  const rows = identity(total);
  const merged = leaves.map((leaf) => reaggregate(leaf.fn === 'countDistinct' ? 'sum' : leaf.fn, concatenated(tables, leaf.key), rows, groups));
  const dims: CodedColumn[] = dimensions.map((_, i) => ({ codes: Int32Array.from(firstCodes, (codes) => codes[i]!), values: dimensionValues[i]! }));
  const shape = { dimensions, measures: leaves } as unknown as AggregatePlan;
  const exact = !leaves.some((leaf) => leaf.fn === 'countDistinct');
  return { table: buildResultTable(shape, dims, merged, identity(count)), exact };
}

function codeOf(dictionary: Map<Scalar | null, number>, values: (Scalar | null)[], value: Scalar | null): number {
  let code = dictionary.get(value);
  if (code === undefined) dictionary.set(value, (code = values.push(value) - 1));
  return code;
}

/** One leaf column of every part, end to end. */
function concatenated(tables: readonly Table[], key: string): NumberColumn {
  const parts = tables.map((t) => numberColumnOf(t.getChild(key)!));
  const values = new Float64Array(parts.reduce((n, p) => n + p.values.length, 0));
  const anyNull = parts.some((p) => p.valid !== null);
  const valid = anyNull ? new Uint8Array(values.length).fill(1) : null;
  let offset = 0;
  for (const part of parts) {
    values.set(part.values, offset);
    if (part.valid) valid!.set(part.valid, offset);
    offset += part.values.length;
  }
  return { values, valid };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
