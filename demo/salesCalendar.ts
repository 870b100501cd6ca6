import { demoMonthPct, demoWeekdayPct } from './salesCatalog.ts';

/** First instant of the demo period (inclusive). */
export const DEMO_START_ISO = '2023-01-01T00:00:00Z';
/** First instant after the demo period (exclusive): exactly three years, 2023 through 2025. */
export const DEMO_END_ISO = '2026-01-01T00:00:00Z';

const DAY_MS = 86_400_000;
/** Number of days in the period: 365 + 366 + 365. */
export const DEMO_DAYS = (Date.parse(DEMO_END_ISO) - Date.parse(DEMO_START_ISO)) / DAY_MS;

/**
 * Relative order volume of each day of the period, as integers: a steady ~60 % growth over the
 * three years, times monthly seasonality, times a day-of-week factor. Integer-only so that
 * thresholds derived from it are the same everywhere.
 */
export function demoDayWeights(): number[] {
  const start = Date.parse(DEMO_START_ISO);
  const weights: number[] = [];
  for (let day = 0; day < DEMO_DAYS; day++) {
    const date = new Date(start + day * DAY_MS);
    const growth = 100 + Math.floor((60 * day) / (DEMO_DAYS - 1));
    weights.push(growth * demoMonthPct[date.getUTCMonth()]! * demoWeekdayPct[date.getUTCDay()]!);
  }
  return weights;
}

/**
 * Lower bounds of consecutive buckets sized by `weights`, for SQL `width_bucket(x, thresholds)`:
 * `thresholds[0] = 0`, `thresholds[i] = weights[0] + … + weights[i-1]`. For `0 <= x < total`
 * width_bucket returns the 1-based index of the bucket holding x, so x uniform over [0, total)
 * picks bucket i with probability weights[i] / total.
 */
export function bucketThresholds(weights: readonly number[]): { thresholds: number[]; total: number } {
  const thresholds: number[] = [];
  let total = 0;
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight) || weight <= 0) {
      throw new RangeError(`bucketThresholds: weights must be positive integers; received: ${weight}`);
    }
    thresholds.push(total);
    total += weight;
  }
  return { thresholds, total };
}
