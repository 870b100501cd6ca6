import type { DatasetConfig } from '../../schema/index.ts';
import type { NumberColumn } from './columns.ts';

/**
 * A measure's value per group from its leaves, as compileSql's measureValueSql computes
 * it for having and order: avg is sum / nullif(count, 0); any other is its single leaf.
 */
export function measureValues(measure: string, dataset: DatasetConfig, leafOf: (key: string) => NumberColumn): NumberColumn {
  const aggregation = dataset.measures[measure]!.aggregation;
  if (aggregation !== 'avg') return leafOf(`${measure}.${aggregation}`);
  const sum = leafOf(`${measure}.sum`);
  const count = leafOf(`${measure}.count`);
  const n = sum.values.length;
  const values = new Float64Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = count.values[i]!;
    const known = (!sum.valid || sum.valid[i] === 1) && (!count.valid || count.valid[i] === 1) && c !== 0;
    if (known) {
      values[i] = sum.values[i]! / c;
      valid[i] = 1;
    }
  }
  return { values, valid };
}
