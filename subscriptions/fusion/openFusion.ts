import type { StreamConfig } from '../../schema/index.ts';
import type { StreamEvent } from '../window/index.ts';
import { FusedOperator } from './FusedOperator.ts';
import type { StreamFusionPlan } from './StreamFusionPlan.ts';

/** What a fusion needs of one member stream's feed. */
export interface MemberTap {
  /** Retained events for the windows open now, replayed before anyone listens. */
  readonly history: readonly StreamEvent[];
  /** Starts handing the member's live batches to `take`; returns the function that stops it. */
  tap(take: (batch: readonly StreamEvent[]) => void): () => void;
}

export interface RunningFusion {
  readonly operator: FusedOperator;
  /** Stops the taps and the idle timer (when its last subscriber leaves). */
  close(): void;
}

/**
 * Starts a fused operator: replays each member's retained events (windows that close
 * during the replay began before it and have partial rows, so nobody hears them), taps the
 * members' live feeds, and checks idle members on a timer: a quarter of idleTimeout,
 * between 50 ms and 1 s, so an idle member is noticed within a quarter of its timeout even
 * when no member sends anything.
 */
export function openFusion(
  plan: StreamFusionPlan,
  streams: Readonly<Record<string, StreamConfig>>,
  members: readonly MemberTap[],
  log: (message: string, error?: unknown) => void,
  afterClose: (stream: string, events: number) => void = () => {},
): RunningFusion {
  const operator = new FusedOperator(plan, streams, Date.now, afterClose);
  members.forEach((m, i) => operator.add(i, m.history));
  const untaps = members.map((m, i) => m.tap((batch) => operator.add(i, batch)));
  const every = Math.min(1_000, Math.max(50, Math.floor(plan.idleTimeoutMs / 4)));
  const timer = setInterval(() => {
    try {
      operator.tick();
    } catch (error) {
      log(`stream fusion ${plan.fusion}: idle check failed`, error);
    }
  }, every);
  timer.unref();
  return {
    operator,
    close() {
      clearInterval(timer);
      for (const untap of untaps) untap();
    },
  };
}
