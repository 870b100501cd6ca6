import type { Aggregation, DatasetConfig } from '../../schema/index.ts';
import { neumaierCompensation, readCompensatedSum } from '../../values/index.ts';

/**
 * The re-aggregable pieces of some measures over a set of core rows, added up as the
 * source would have aggregated the underlying rows: sums (Neumaier-compensated, read back to
 * 15 significant digits with whole numbers exact, as the cache's roll-ups are: values/) and
 * counts add, mins and maxes combine, nulls are ignored. `avg` is a sum and a count.
 * countDistinct does not roll up: answerAnalytics refuses it wherever it would have to.
 */
export class Leaves {
  private readonly sum: Float64Array;
  private readonly compensation: Float64Array;
  private readonly count: Float64Array;
  private readonly seen: Uint8Array;
  rows = 0;

  constructor(private readonly measures: readonly MeasureLeaves[]) {
    this.sum = new Float64Array(measures.length);
    this.compensation = new Float64Array(measures.length);
    this.count = new Float64Array(measures.length);
    this.seen = new Uint8Array(measures.length);
  }

  /** Adds one core row (its leaf cells in the order of `measures`: [sum-or-value, count]). */
  add(cells: readonly (readonly [number | null, number | null])[]): void {
    this.rows += 1;
    this.measures.forEach((m, i) => {
      const [value, count] = cells[i]!;
      switch (m.aggregation) {
        case 'count':
          if (value !== null) this.count[i] = this.count[i]! + value;
          return;
        case 'avg':
          if (count !== null) this.count[i] = this.count[i]! + count;
          this.addSum(i, value);
          return;
        case 'sum':
        case 'countDistinct':
          this.addSum(i, value);
          return;
        case 'min':
        case 'max':
          if (value === null) return;
          if (!this.seen[i] || (m.aggregation === 'max' ? value > this.sum[i]! : value < this.sum[i]!)) this.sum[i] = value;
          this.seen[i] = 1;
          return;
      }
    });
  }

  private addSum(i: number, value: number | null): void {
    if (value === null) return;
    const sum = this.sum[i]!;
    const next = sum + value;
    this.compensation[i] = this.compensation[i]! + neumaierCompensation(sum, next, value);
    this.sum[i] = next;
    this.seen[i] = 1;
  }

  /** Each measure's value: count 0 and the others null when no row had a value. */
  values(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    this.measures.forEach((m, i) => {
      const sum = this.seen[i] ? readCompensatedSum(this.sum[i]!, this.compensation[i]!) : null;
      switch (m.aggregation) {
        case 'count':
          out[m.name] = this.count[i]!;
          return;
        case 'avg':
          out[m.name] = sum === null || this.count[i] === 0 ? null : sum / this.count[i]!;
          return;
        case 'min':
        case 'max':
          out[m.name] = this.seen[i] ? this.sum[i]! : null;
          return;
        default:
          out[m.name] = sum;
      }
    });
    return out;
  }
}

export interface MeasureLeaves {
  readonly name: string;
  readonly aggregation: Aggregation;
  /** Column keys in the core table: the value (sum, count, min, max...) and, for avg, the count. */
  readonly value: string;
  readonly count: string | null;
}

export function measureLeaves(dataset: DatasetConfig, names: readonly string[]): MeasureLeaves[] {
  return names.map((name) => {
    const { aggregation } = dataset.measures[name]!;
    if (aggregation === 'avg') return { name, aggregation, value: `${name}.sum`, count: `${name}.count` };
    return { name, aggregation, value: `${name}.${aggregation}`, count: null };
  });
}
