/** Order statistics of a sample of timings, in the sample's unit (milliseconds here). */
export interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The `p`-th percentile (0..100) of ascending `sorted` values, interpolating linearly
 * between the two closest ranks (the R-7 / PERCENTILE.INC definition), so the p50 of an
 * even-sized sample is the mean of its two middle values.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile: expected at least one value; received an empty sample');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: expected p from 0 to 100; received: ${p}`);
  const rank = ((sorted.length - 1) * p) / 100;
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (rank - lower);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

/** Median wall time of `fn` over `iterations` runs after `warmup` uncounted ones, in ms. */
export async function medianMs(fn: () => unknown, iterations: number, warmup = Math.ceil(iterations / 5)): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return summarize(samples).p50;
}
