import type { Table } from 'apache-arrow';
import type { AggregatePlan, CorePlan, Filter } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { buildResultTable } from './buildResultTable.ts';
import { gatherCodes, gatherNumbers, numbersAsCoded, type CodedColumn, type NumberColumn } from './columns.ts';
import { codedColumnOf, numberColumnOf } from './columnCache.ts';
import { TRUE } from '../../values/index.ts';
import { evaluateFilter } from './evaluateFilter.ts';
import { residualFilter } from './filterImplied.ts';
import { finestTimeDimension } from './finestTimeDimension.ts';
import { groupRows } from './groupRows.ts';
import { measureValues } from './measureValues.ts';
import { reaggregate } from './reaggregate.ts';
import { sameDimensions } from './sameDimensions.ts';
import { dimensionSortKey, measureSortKey } from './sortKeys.ts';
import { sortRows } from './sortRows.ts';
import { sourceDimensionOf } from './sourceDimensionOf.ts';
import { timeValuesToWall } from './timeValuesToWall.ts';
import { truncateCoded } from './truncateCoded.ts';

/**
 * Computes `target`'s result from the table of a cached core that `canDerive` accepted,
 * with the semantics of the SQL compileSql emits: residual filter (WHERE), roll-up (GROUP
 * BY on the query's dimensions, leaves re-aggregated), having, order with NULLS LAST,
 * offset, limit. When the query groups exactly like the core no grouping work is done:
 * each cached row is a result row. A pushed-down core already is the result.
 */
export function deriveTable(target: AggregatePlan, source: CorePlan, table: Table, dataset: DatasetConfig): Table {
  if (source.pushdown !== null) return table;
  const codedColumn = (key: string) => codedColumnOf(table.getChild(key)!);
  const residual = residualFilter(target, source);
  const rows = keptRows(residual, source, table, dataset, codedColumn);

  let dimensions: CodedColumn[];
  let leaves: NumberColumn[];
  if (sameDimensions(target, source)) {
    // Each kept row is a result row; without a residual the cached columns serve as they are.
    const leafColumn = (key: string) => numberColumnOf(table.getChild(key)!);
    dimensions = target.dimensions.map((d) => (residual ? gatherCodes(codedColumn(d.key), rows) : codedColumn(d.key)));
    leaves = target.measures.map((leaf) => (residual ? gatherNumbers(leafColumn(leaf.key), rows) : leafColumn(leaf.key)));
    // Without dimensions the answer is one row even when the residual (a denying row
    // policy) keeps no cached row: SQL's aggregates over nothing, counts 0, the rest null.
    if (target.dimensions.length === 0 && rows.length === 0) leaves = target.measures.map((leaf) => overNothing(leaf.fn));
  } else {
    const keys = target.dimensions.map((d) => {
      const from = sourceDimensionOf(d, source);
      const column = codedColumn(from.key);
      return from.granularity === d.granularity ? column : truncateCoded(column, d.granularity!);
    });
    const groups = groupRows(keys, rows);
    dimensions = keys.map((key) => gatherCodes(key, groups.firstRow));
    leaves = target.measures.map((leaf) => reaggregate(leaf.fn, numberColumnOf(table.getChild(leaf.key)!), rows, groups));
  }
  const groupCount = target.dimensions.length === 0 ? 1 : dimensions[0]!.codes.length;

  const leafByKey = new Map(target.measures.map((leaf, i) => [leaf.key, leaves[i]!]));
  const values = new Map<string, NumberColumn>();
  const valueOf = (measure: string) => {
    let column = values.get(measure);
    if (!column) values.set(measure, (column = measureValues(measure, dataset, (key) => leafByKey.get(key)!)));
    return column;
  };

  let candidates = identity(groupCount);
  if (target.having) {
    const truth = evaluateFilter(target.having, (m) => numbersAsCoded(valueOf(m)), groupCount);
    candidates = candidates.filter((g) => truth[g] === TRUE);
  }
  const dimensionIndex = new Map(target.dimensions.map((d, i) => [d.key, i]));
  const keys = target.order.map((o) =>
    o.target === 'measure' ? measureSortKey(valueOf(o.field), o.direction) : dimensionSortKey(dimensions[dimensionIndex.get(o.field)!]!, o.direction),
  );
  const selected = sortRows(candidates, keys, target.offset, target.limit);
  return buildResultTable(target, dimensions, leaves, selected);
}

/** The table rows passing the residual filter (all rows when there is none). */
function keptRows(
  residual: Filter | null,
  source: CorePlan,
  table: Table,
  dataset: DatasetConfig,
  codedColumn: (key: string) => CodedColumn,
): Int32Array {
  if (residual === null) return identity(table.numRows);
  // A residual time predicate reads the core's finest grouping of that dimension.
  const columnKey = (field: string) => (dataset.dimensions[field]?.type === 'time' ? finestTimeDimension(source, field).key : field);
  const truth = evaluateFilter(timeValuesToWall(residual, dataset), (field) => codedColumn(columnKey(field)), table.numRows);
  let count = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i] === TRUE) count++;
  const rows = new Int32Array(count);
  for (let i = 0, j = 0; i < truth.length; i++) if (truth[i] === TRUE) rows[j++] = i;
  return rows;
}

function overNothing(fn: AggregatePlan['measures'][number]['fn']): NumberColumn {
  const zero = fn === 'count' || fn === 'countDistinct';
  return { values: Float64Array.of(0), valid: zero ? null : Uint8Array.of(0) };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
