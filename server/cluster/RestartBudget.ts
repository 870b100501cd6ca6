/**
 * When a worker that died may be started again. Restarts back off exponentially with the
 * number of restarts in the last minute, and there are at most `perMinute` of them in any
 * minute: a worker that crashes on start (a bad deploy, a source it cannot reach) is
 * retried a few times a minute instead of spinning. There is no final give-up: once the
 * cause is gone (the source is back) the next restart serves again.
 */
export interface RestartBudgetOptions {
  /** Restarts allowed in any 60 s window (default 10). */
  readonly perMinute?: number;
  /** Delay of a restart after a quiet minute (default 100 ms); doubles with each recent restart. */
  readonly firstDelayMs?: number;
  /** Longest backoff delay (default 10 s); the per-minute bound may wait longer. */
  readonly maxDelayMs?: number;
  /** The clock, in ms (tests pass their own). */
  readonly now?: () => number;
}

const WINDOW_MS = 60_000;

export class RestartBudget {
  private readonly perMinute: number;
  private readonly firstDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  /** When each restart of the last minute runs (or ran), ascending; never more than perMinute. */
  private readonly restarts: number[] = [];

  constructor(options: RestartBudgetOptions = {}) {
    this.perMinute = getValidCount('perMinute', options.perMinute ?? 10);
    this.firstDelayMs = getValidCount('firstDelayMs', options.firstDelayMs ?? 100);
    this.maxDelayMs = getValidCount('maxDelayMs', options.maxDelayMs ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /** Books the next restart and returns how long to wait before it, in ms. */
  next(): number {
    const now = this.now();
    while (this.restarts.length > 0 && this.restarts[0]! <= now - WINDOW_MS) this.restarts.shift();
    const recent = this.restarts.length;
    // Never before a restart already booked, so bookings stay in order.
    let at = Math.max(now + Math.min(this.maxDelayMs, this.firstDelayMs * 2 ** recent), this.restarts[recent - 1] ?? 0);
    // Any minute ending at `at` holds at most perMinute restarts, this one included.
    if (recent >= this.perMinute) at = Math.max(at, this.restarts[recent - this.perMinute]! + WINDOW_MS);
    this.restarts.push(at);
    return at - now;
  }
}

function getValidCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`RestartBudget: ${name} must be a whole number above 0; got ${String(value)}`);
  return value;
}
