/**
 * Rounds `value` to `digits` decimal digits (negative: to tens, hundreds, ...), halves
 * away from zero, exactly as PostgreSQL's `round(value::numeric, digits)::float8` does:
 *
 * - `value` is first cut to 15 significant digits, which is what PostgreSQL's float8 →
 *   numeric cast does, so `round(1.005, 2)` is 1.01 (the float64 nearest 1.005 is just
 *   below it, but its 15-digit form is not);
 * - `digits` is truncated toward zero (`2.9` → 2, `-1.9` → -1);
 * - the rounded decimal is converted back to the nearest float64;
 * - the result is never -0.
 *
 * `value` must be finite.
 */
export function roundHalfAwayFromZero(value: number, digits: number): number {
  if (value === 0) return 0;
  const places = Math.trunc(digits);
  // `d.dddddddddddddde±x`: 15 significant digits, as in PostgreSQL's float8_numeric.
  const [mantissa = '', exponentText = '0'] = Math.abs(value).toExponential(14).split('e');
  const significand = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  // How many significant digits survive: those left of the 10^-places position.
  const kept = exponent + 1 + places;
  let magnitude: number;
  if (kept >= significand.length) {
    magnitude = Number(`${significand}e${exponent - (significand.length - 1)}`);
  } else if (kept < 0) {
    return 0;
  } else {
    let rounded = kept === 0 ? 0n : BigInt(significand.slice(0, kept));
    if ((significand[kept] ?? '0') >= '5') rounded += 1n;
    if (rounded === 0n) return 0;
    magnitude = Number(`${rounded}e${-places}`);
  }
  return value < 0 ? -magnitude : magnitude;
}
