/**
 * Decimal results from binary sums. A stream's amounts are decimals (prices, quantities)
 * that doubles hold only approximately; a database summing them as decimals returns the
 * exact total, and so must a stream window (the same figure in a live window and in its
 * landed history or a dataset query).
 */

/**
 * A (compensated) sum cut at the 15th significant digit of `maxAbs`, the largest |input|,
 * then to 15 significant digits of its own: below that, a sum of such inputs holds only
 * rounding noise. Whole numbers stay exact (up to 2^53).
 */
export function roundSum(value: number, maxAbs: number): number {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value;
  const place = Math.floor(Math.log10(maxAbs)) - 14;
  const cut = place >= 0 ? Math.round(value / 10 ** place) * 10 ** place : -place <= 100 ? Number(value.toFixed(-place)) : value;
  return cut === 0 ? 0 : Number(cut.toPrecision(15));
}

/** Significant digits the quotient is computed to before it is read back as a double. */
const QUOTIENT_DIGITS = 20n;

/**
 * `sum / count` as the double nearest the exact decimal quotient of `sum`'s shortest
 * decimal text (what `avg` over decimals returns): 0.6 / 3 is 0.2, not 0.19999999999999998,
 * and 10 / 3 stays 3.3333333333333335. Long division in BigInt to 20 digits, read once.
 */
export function decimalQuotient(sum: number, count: number): number {
  if (sum === 0 || !Number.isFinite(sum) || !Number.isInteger(count) || count <= 0) return sum / count;
  const [mantissa, exponent] = sum.toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '').replace('-', '');
  const scale = Number(exponent) - (digits.length - 1);
  const quotient = (BigInt(digits) * 10n ** QUOTIENT_DIGITS) / BigInt(count);
  return (sum < 0 ? -1 : 1) * Number(`${quotient}e${scale - Number(QUOTIENT_DIGITS)}`);
}
