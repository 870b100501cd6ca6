/**
 * Compensated (Neumaier) summation and how its result is read back. A source sums decimals
 * exactly and rounds once; adding doubles one by one drifts by an ulp per addition, enough to
 * show as 1964.8500000000001 or to flip ties in an order. Every place that adds up a sum
 * (the cache's roll-ups and merges, the analytics engine's leaves, a stream window's
 * accumulators) keeps a running compensation with `neumaierCompensation` and reads the
 * total with `readCompensatedSum` (or, in a stream window, `roundSum`).
 */

/**
 * The low-order bits that `next = sum + addend` dropped (Neumaier's step): add it to the
 * running compensation, then continue with `next`. Taken from whichever of `sum` and `addend`
 * is the smaller in magnitude, so the step stays exact when the addend is the larger one
 * (where Kahan's step loses it). A pure function of three numbers, so loops over typed
 * arrays keep the step inline and allocate nothing.
 */
export function neumaierCompensation(sum: number, next: number, addend: number): number {
  return Math.abs(sum) >= Math.abs(addend) ? sum - next + addend : addend - next + sum;
}

/**
 * The compensated total of a running `sum` and its `compensation`. Once the sum is not
 * finite (an infinite or NaN input, or an overflow) the compensation is NaN (∞ − ∞), and the
 * sum alone is the answer.
 */
export function compensatedTotal(sum: number, compensation: number): number {
  return Number.isFinite(sum) ? sum + compensation : sum;
}

/**
 * A sum's double cut to 15 significant digits: below the 15th digit a sum of decimals held as
 * doubles carries only rounding noise, so this gives back the exact decimal total whenever
 * it has at most 15 digits (every money column), and moves float data by at most 1e-15
 * relative. Whole numbers stay exact (up to 2^53, as a database sums integers), and
 * infinities and NaN pass through.
 */
export function cutSum(value: number): number {
  return Number.isInteger(value) || !Number.isFinite(value) ? value : Number(value.toPrecision(15));
}

/** A compensated sum as read by the cache and the analytics engine: `cutSum` of its compensated total. */
export function readCompensatedSum(sum: number, compensation: number): number {
  return cutSum(compensatedTotal(sum, compensation));
}
