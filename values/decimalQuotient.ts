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
