import type { StreamConfig } from '../schema/index.ts';
import type { StreamPlan } from './StreamPlan.ts';
import type { Subscriber } from './Subscriber.ts';
import { compileEventFilter, WindowOperator, type AddResult, type StreamEvent, type WindowState } from './window/index.ts';

/**
 * One window operator per normalized stream plan, shared by every subscription with that
 * plan. It takes the feed's batches, and tells each subscriber which windows changed and
 * which closed.
 */
export class SharedOperator {
  readonly operator: WindowOperator;
  /** Every subscriber (read only: they join and leave through join() and leave()). */
  readonly subscribers = new Set<Subscriber>();
  /** The CHANGES subscribers among them: only they hear of open windows' versions. */
  private readonly changes = new Set<Subscriber>();

  constructor(readonly plan: StreamPlan, stream: StreamConfig) {
    this.operator = new WindowOperator({
      window: plan.window,
      graceMs: stream.graceMs,
      groupBy: plan.groupBy,
      measures: plan.measures.map((name) => ({ name, aggregation: stream.measures[name]!.aggregation })),
      where: plan.filter ? compileEventFilter(plan.filter) : undefined,
    });
  }

  /** Feeds a batch; returns how many events this operator dropped as late (the stream's late metric is StreamClock's, counted once). */
  add(batch: readonly StreamEvent[]): number {
    const lateBefore = this.operator.lateEvents;
    const changed = new Set<string>();
    const removed: string[] = [];
    const { sinceMs } = this.plan;
    let previous: AddResult | null = null;
    for (const event of batch) {
      if (sinceMs !== null && event.time < sinceMs) continue;
      const result = this.operator.add(event);
      // The operator hands out the same frozen result for consecutive events of one window:
      // its keys are in `changed` already (and nothing was removed in between).
      if (result === previous) continue;
      previous = result;
      for (const k of result.changed) changed.add(k);
      if (result.removed.length === 0) continue; // only session merges remove windows
      removed.push(...result.removed);
      for (const k of result.removed) changed.delete(k);
    }
    const finals = this.operator.closeDue();
    const closedKeys = new Set(finals.map((f) => f.key));
    const snapshots = [...changed].filter((k) => !closedKeys.has(k)).map((k) => this.operator.snapshot(k)).filter((s): s is WindowState => s !== undefined);
    // Each subscriber hears removed, then changed, then closed. FINAL subscribers hear only of
    // closed windows, so a batch that closes none costs nothing per FINAL subscriber.
    if (removed.length > 0) for (const s of this.changes) s.removed(removed);
    if (snapshots.length > 0) for (const s of this.changes) s.changed(snapshots);
    if (finals.length > 0) for (const s of this.subscribers) s.closed(finals);
    return this.operator.lateEvents - lateBefore;
  }

  join(s: Subscriber): void {
    this.subscribers.add(s);
    if (s.emit === 'CHANGES') this.changes.add(s);
  }

  /** Removes a subscriber; true if it was the last one. */
  leave(s: Subscriber): boolean {
    this.subscribers.delete(s);
    this.changes.delete(s);
    return this.subscribers.size === 0;
  }

  /** What a new subscriber sees first: the windows open now. */
  current(): WindowState[] {
    return this.operator.openWindows();
  }
}
