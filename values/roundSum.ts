/**
 * A stream window's sum read back as a decimal. A stream's amounts are decimals (prices,
 * quantities) that doubles hold only approximately; a database summing them as decimals
 * returns the exact total, and so must a stream window (the same figure in a live window and
 * in its landed history or a dataset query).
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
