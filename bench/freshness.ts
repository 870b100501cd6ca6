import { percentile } from './stats.ts';
import { VERSION_FIELDS } from './subscriptionClients.ts';

export interface LatencySummary {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { n: 0, p50: NaN, p99: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1]! };
}

/**
 * Produce→subscriber latency of each event sent at or after `fromMs`: the arrival time of
 * the first version of its window whose `maxSent` is at least the event's send time, minus
 * that send time. Event time equals send time, so an event's window is
 * `[floor(s / windowMs) * windowMs, +windowMs)`; on one partition a version that has seen a
 * later send time has seen every earlier event too. `unseen` events never showed up.
 */
export function eventLatencies(sentAt: Float64Array, versions: Float64Array, windowMs: number, fromMs: number): { latencies: number[]; unseen: number } {
  // Per window, in arrival order: the running max of maxSent and the arrival time.
  const byWindow = new Map<number, { maxSent: number[]; receivedAt: number[] }>();
  for (let i = 0; i < versions.length; i += VERSION_FIELDS) {
    const [start, maxSent, receivedAt] = [versions[i]!, versions[i + 1]!, versions[i + 2]!];
    if (Number.isNaN(maxSent)) continue;
    let w = byWindow.get(start);
    if (!w) byWindow.set(start, (w = { maxSent: [], receivedAt: [] }));
    w.maxSent.push(Math.max(maxSent, w.maxSent.at(-1) ?? -Infinity));
    w.receivedAt.push(receivedAt);
  }
  const latencies: number[] = [];
  let unseen = 0;
  for (const s of sentAt) {
    if (s < fromMs) continue;
    const w = byWindow.get(Math.floor(s / windowMs) * windowMs);
    const k = w ? firstAtLeast(w.maxSent, s) : -1;
    if (k < 0) unseen++;
    else latencies.push(w!.receivedAt[k]! - s);
  }
  return { latencies, unseen };
}

/** Arrival time minus `maxSent` of each non-final version with maxSent ≥ fromMs: the age of its freshest event. */
export function versionLatencies(versions: Float64Array, fromMs: number, out: number[] = []): number[] {
  for (let i = 0; i < versions.length; i += VERSION_FIELDS) {
    const [maxSent, receivedAt, final] = [versions[i + 1]!, versions[i + 2]!, versions[i + 3]!];
    if (final === 0 && maxSent >= fromMs) out.push(receivedAt - maxSent);
  }
  return out;
}

/** Index of the first element >= x in ascending `sorted`, or -1. */
function firstAtLeast(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? lo : -1;
}
