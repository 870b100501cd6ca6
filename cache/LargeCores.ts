import { planKey, type AggregatePlan, type CorePlan } from '../planner/index.ts';
import { planOfCore } from './planOfCore.ts';

/** How a core came to be known as larger than maxCoreRows. */
export type LargeBasis = 'read' | 'estimate';

export interface LargeCore {
  readonly groups: number;
  readonly basis: LargeBasis;
}

/** Asks the source's planner how many rows (groups) a plan returns; null when it cannot say. */
export type EstimateRows = (plan: AggregatePlan, signal: AbortSignal) => Promise<number | null>;

/**
 * A source estimate skips the bounded read only when it is this many times maxCoreRows:
 * grouped-row estimates are often off by large factors either way (bench:query's flights
 * table: ~200,000 estimated groups for ~200 real), so only a far larger one is acted on.
 * An overestimate costs the whole core's cacheability, never a wrong answer: the top-N is
 * pushed down and answered exactly.
 */
export const ESTIMATE_FACTOR = 10;
/** An estimate is advice: one that takes longer is given up and the bounded read goes ahead. */
export const ESTIMATE_TIMEOUT_MS = 2_000;
const MAX_REMEMBERED = 10_000;

/**
 * What the cache knows about cores too large to fetch whole for a top-N (limitPushdown.ts),
 * by generation and core key, each for at most the dataset's ttl (a table grows).
 *
 * Two ways to know: a bounded read that overflowed (exact), or, for sources whose planner
 * estimates are worth a round trip before the read (Trino: a bounded read of a huge core
 * costs a whole distributed aggregate before it can stop), an estimate of at least
 * ESTIMATE_FACTOR x maxCoreRows. A core estimated smaller (or not at all) is not asked
 * about again within the ttl; its bounded read answers the question exactly.
 */
export class LargeCores {
  private readonly large = new Map<string, LargeCore & { readonly expiresAt: number }>();
  private readonly asked = new Map<string, number>();

  constructor(private readonly timeoutMs = ESTIMATE_TIMEOUT_MS) {}

  known(core: CorePlan, generation: string): LargeCore | null {
    const hit = this.large.get(`${generation}/${planKey(core)}`);
    return hit && hit.expiresAt > Date.now() ? hit : null;
  }

  remember(core: CorePlan, generation: string, groups: number, ttlMs: number, basis: LargeBasis = 'read'): void {
    if (this.large.size > MAX_REMEMBERED) this.large.clear();
    this.large.set(`${generation}/${planKey(core)}`, { groups, basis, expiresAt: Date.now() + Math.max(0, ttlMs) });
  }

  /**
   * Whether the source estimates `core` at ESTIMATE_FACTOR x maxCoreRows or more (then it is
   * remembered as large). Never rejects: a failed, slow or aborted estimate means "not
   * known", and the bounded read decides. Asked once per core and generation within the ttl.
   */
  async estimateLarge(core: CorePlan, generation: string, maxCoreRows: number, ttlMs: number, estimate: EstimateRows, signal: AbortSignal): Promise<boolean> {
    if (this.known(core, generation)) return true;
    if (signal.aborted) return false;
    const key = `${generation}/${planKey(core)}`;
    const askedUntil = this.asked.get(key);
    if (askedUntil !== undefined && askedUntil > Date.now()) return false;
    if (this.asked.size > MAX_REMEMBERED) this.asked.clear();
    this.asked.set(key, Date.now() + Math.max(0, ttlMs));
    const groups = await withinDeadline(estimate, planOfCore(core), signal, this.timeoutMs);
    if (groups === null || groups < ESTIMATE_FACTOR * maxCoreRows) return false;
    this.remember(core, generation, groups, ttlMs, 'estimate');
    return true;
  }

  clear(): void {
    this.large.clear();
    this.asked.clear();
  }
}

/** The estimate, or null once `timeoutMs` pass or `signal` aborts, even if the source ignores the abort; never rejects. */
function withinDeadline(estimate: EstimateRows, plan: AggregatePlan, signal: AbortSignal, timeoutMs: number): Promise<number | null> {
  const deadline = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  return new Promise((resolve) => {
    const giveUp = () => resolve(null);
    deadline.addEventListener('abort', giveUp, { once: true });
    estimate(plan, deadline).then(
      (groups) => resolve(groups),
      () => resolve(null),
    ).finally(() => deadline.removeEventListener('abort', giveUp));
  });
}
