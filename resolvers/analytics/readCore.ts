import type { Table } from 'apache-arrow';
import { readColumn, type Cell } from '../readColumn.ts';
import type { MeasureLeaves } from './Leaves.ts';

/** One group of the core answer: its non-time dimension values, its time bucket (wall ms) and its leaf cells. */
export interface CorePoint {
  /** JSON of the non-time dimension values: the series this point belongs to. */
  readonly series: string;
  readonly dims: readonly Cell[];
  /** Wall ms of the core time bucket; NaN without a time dimension in the core. */
  readonly t: number;
  /** Per measure (MeasureLeaves order): [value leaf, count leaf (avg only)]. */
  readonly cells: readonly (readonly [number | null, number | null])[];
}

/** Reads the core table (columns: the dimension keys, `<time>.<granularity>`, the leaves) into points. */
export function readCore(table: Table, dimKeys: readonly string[], timeKey: string | null, measures: readonly MeasureLeaves[]): CorePoint[] {
  const column = (key: string) => {
    const child = table.getChild(key);
    if (!child) throw new Error(`analytics core: missing column ${key}`);
    return readColumn(child);
  };
  const dims = dimKeys.map(column);
  const times = timeKey ? column(timeKey) : null;
  const values = measures.map((m) => column(m.value));
  const counts = measures.map((m) => (m.count ? column(m.count) : null));
  const points: CorePoint[] = new Array(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const d = dims.map((c) => c[i] as Cell);
    points[i] = {
      series: JSON.stringify(d),
      dims: d,
      t: times ? (times[i] as number) : NaN,
      cells: values.map((v, k) => [v[i] as number | null, (counts[k]?.[i] as number | null) ?? null] as const),
    };
  }
  return points;
}
