/**
 * The orders bench:stream produces: small JSON objects as a shop front would send them.
 * Deterministic in the index, so every run carries the same regions, channels and amounts.
 */
const REGIONS = ['central', 'east', 'north', 'south', 'west'] as const;
const CHANNELS = ['phone', 'store', 'web'] as const;

export interface OrderEvent {
  /** Event time, epoch ms (the stream's `timestamp: ts`). */
  readonly ts: number;
  readonly region: string;
  readonly channel: string;
  readonly amount: number;
  /** When the producer sent it (epoch ms); the stream's `maxSent: { max: sentAt }` measure. */
  readonly sentAt?: number;
}

/** The `i`-th order, at event time `ts`, optionally stamped with its send time. */
export function orderEvent(i: number, ts: number, sentAt?: number): OrderEvent {
  const amount = ((i * 7_919) % 10_000) / 100 + 1;
  const order = { ts, region: REGIONS[i % REGIONS.length]!, channel: CHANNELS[(i * 7) % CHANNELS.length]!, amount };
  return sentAt === undefined ? order : { ...order, sentAt };
}

/** The number of distinct regions: rows per window when grouping by region. */
export const REGION_COUNT = REGIONS.length;

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` every `everyMs` until it returns true; throws naming `what` after `timeoutMs`.
 * The bench waits on conditions (a counter, a gauge), never on guessed durations.
 */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
