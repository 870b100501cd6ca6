import { assertNever } from '../../planner/index.ts';
import { compensatedTotal, decimalQuotient, neumaierCompensation, roundSum } from '../../values/index.ts';
import type { Aggregation, MeasureInput } from './types.ts';

/**
 * The running aggregate of one measure in one group of one window, with SQL semantics:
 * nulls are ignored; sum, min, max and avg of no non-null input are null; count counts
 * non-null inputs (count(*) events carry 1, so every event counts); countDistinct counts
 * distinct non-null values. Accumulators of the same aggregation merge (session merges).
 *
 * Sums (and the sum behind avg) are free of binary noise: inputs are added with Neumaier's
 * compensated summation, as the cache does when it re-aggregates (values/compensatedSum.ts),
 * and the result is cut to 15 significant digits of the largest input and of itself
 * (values/roundSum.ts); an avg divides that sum as a decimal. So 0.1 + 0.2 is 0.3,
 * 0.1 + 0.2 - 0.3 is 0, avg(0.1, 0.2, 0.3) is 0.2, and money amounts add up to what a database summing
 * decimals returns (`1764.51`, not `1764.5100000000002`) whenever the inputs have at most
 * 15 significant digits; float data moves by at most 1e-15 of its largest input. Whole-number
 * totals are left as they are (exact up to 2^53).
 */
export class Accumulator {
  readonly aggregation: Aggregation;
  #count = 0;
  #sum = 0;
  /** Neumaier's running compensation: the low-order bits `#sum` lost so far. */
  #compensation = 0;
  /** The largest |input|: below its 15th significant digit a sum holds only rounding noise. */
  #maxAbs = 0;
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
    this.#addToSum(n);
    if (n < this.#min) this.#min = n;
    if (n > this.#max) this.#max = n;
  }

  merge(other: Accumulator): void {
    if (this.#distinct) {
      for (const value of other.#distinct ?? []) this.#distinct.add(value);
      return;
    }
    this.#count += other.#count;
    this.#addToSum(other.#sum);
    this.#compensation += other.#compensation;
    this.#maxAbs = Math.max(this.#maxAbs, other.#maxAbs);
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
  }

  result(): number | null {
    const none = this.#count === 0;
    switch (this.aggregation) {
      case 'sum':
        return none ? null : roundSum(compensatedTotal(this.#sum, this.#compensation), this.#maxAbs);
      case 'count':
        return this.#count;
      case 'avg':
        return none ? null : decimalQuotient(roundSum(compensatedTotal(this.#sum, this.#compensation), this.#maxAbs), this.#count);
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

  /** Neumaier's step: the bits of the smaller addend that `sum + n` drops go to the compensation. */
  #addToSum(n: number): void {
    const abs = Math.abs(n);
    if (abs > this.#maxAbs) this.#maxAbs = abs;
    const sum = this.#sum;
    const next = sum + n;
    this.#compensation += neumaierCompensation(sum, next, n);
    this.#sum = next;
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
