/**
 * Decides when a CHANGES emission may happen: at most once per `intervalMs`. Pure: the
 * caller passes the current time (processing time, ms) and owns any timer, e.g. it emits
 * when `shouldEmit(now)` is true, and otherwise schedules a retry at `nextAllowedAt`.
 */
export interface Throttle {
  /** True when an emission may happen at `now`; a true answer counts as that emission. */
  shouldEmit(now: number): boolean;
  /** The earliest time the next emission may happen (-Infinity before the first). */
  readonly nextAllowedAt: number;
}

/** `intervalMs` 0 lets every emission through. */
export function createThrottle(intervalMs: number): Throttle {
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 0) {
    throw new Error(`createThrottle: intervalMs must be a finite number of milliseconds >= 0, but received: ${String(intervalMs)}`);
  }
  let nextAllowedAt = -Infinity;
  return Object.freeze({
    shouldEmit(now: number): boolean {
      if (!(now >= nextAllowedAt)) return false; // also false for NaN
      nextAllowedAt = now + intervalMs;
      return true;
    },
    get nextAllowedAt() {
      return nextAllowedAt;
    },
  });
}
