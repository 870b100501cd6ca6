/**
 * The largest multiple of `step` not after `time`: the start of the epoch-aligned slot that
 * contains `time`, also for times before 1970. The floating-point remainder is exact, so
 * an instant on a boundary always starts its slot, for fractional times too.
 */
export function alignedStart(time: number, step: number): number {
  const remainder = time % step;
  return time - (remainder < 0 ? remainder + step : remainder);
}

/** Window durations are positive integers of milliseconds (what parseDuration yields for whole ms). */
export function getValidDuration(owner: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new Error(`${owner}: ${name} must be a positive integer number of milliseconds, but received: ${String(value)}`);
  }
  return value;
}
