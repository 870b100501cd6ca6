import { assertNever } from '../../planner/index.ts';
import type { Aggregation, MeasureInput } from './types.ts';

/**
 * The running aggregate of one measure in one group of one window, with SQL semantics:
 * nulls are ignored; sum, min, max and avg of no non-null input are null; count counts
 * non-null inputs (count(*) events carry 1, so every event counts); countDistinct counts
 * distinct non-null values. Accumulators of the same aggregation merge (session merges).
 */
export class Accumulator {
  readonly aggregation: Aggregation;
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;
  readonly #distinct: Set<string | number> | null;

  constructor(aggregation: Aggregation) {
    this.aggregation = aggregation;
    this.#distinct = aggregation === 'countDistinct' ? new Set() : null;
  }

  /** `value` must satisfy `isValidInput` for this aggregation. */
  add(value: MeasureInput): void {
    if (value === null) return;
    if (this.#distinct) {
      this.#distinct.add(value);
      return;
    }
    const n = value as number;
    this.#count += 1;
    this.#sum += n;
    if (n < this.#min) this.#min = n;
    if (n > this.#max) this.#max = n;
  }

  merge(other: Accumulator): void {
    if (this.#distinct) {
      for (const value of other.#distinct ?? []) this.#distinct.add(value);
      return;
    }
    this.#count += other.#count;
    this.#sum += other.#sum;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  result(): number | null {
    const none = this.#count === 0;
    switch (this.aggregation) {
      case 'sum':
        return none ? null : this.#sum;
      case 'count':
        return this.#count;
      case 'avg':
        return none ? null : this.#sum / this.#count;
      case 'min':
        return none ? null : this.#min;
      case 'max':
        return none ? null : this.#max;
      case 'countDistinct':
        return this.#distinct!.size;
      default:
        return assertNever(this.aggregation);
    }
  }
}

/**
 * Whether an event may carry `value` for a measure of this aggregation: null, a finite
 * number, or (countDistinct only) a string. Anything else makes the event bad.
 */
export function isValidInput(aggregation: Aggregation, value: unknown): boolean {
  if (value === null) return true;
  if (typeof value === 'number') return Number.isFinite(value);
  return typeof value === 'string' && aggregation === 'countDistinct';
}
