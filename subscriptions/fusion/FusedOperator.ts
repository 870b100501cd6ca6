import type { StreamConfig } from '../../schema/index.ts';
import type { Subscriber } from '../Subscriber.ts';
import { compileEventFilter, WindowOperator, type StreamEvent, type WindowKey, type WindowState } from '../window/index.ts';
import { joinWindowRows } from './joinWindowRows.ts';
import type { StreamFusionPlan } from './StreamFusionPlan.ts';

/** How one member stood when a fused window version was made. */
export interface FusionMemberStatus {
  readonly stream: string;
  /** The member's stream time (largest event time seen); null before its first event. */
  readonly time: number | null;
  /** No event for the fusion's idleTimeout: it no longer holds windows open. */
  readonly idle: boolean;
}

/** A fused window version: the joined rows, and the members that did not hold it back. */
export interface FusedWindowState extends WindowState {
  /**
   * Members whose stream time had not passed end + grace when this version was made and
   * that were idle (or, for a final version forced by MAX_WAITING_WINDOWS, too far behind).
   */
  readonly idle: readonly string[];
  readonly members: readonly FusionMemberStatus[];
}

/** Fused windows waiting for a member at most; past this the oldest closes without it. */
export const MAX_WAITING_WINDOWS = 1_000;

interface Member {
  readonly stream: string;
  readonly graceMs: number;
  readonly keyDims: readonly string[];
  readonly measures: readonly string[];
  readonly operator: WindowOperator;
  lastEventAt: number;
}

interface FusedWindow {
  readonly key: WindowKey;
  readonly start: number;
  readonly end: number;
  revision: number;
  /** Final versions of members whose own window closed, by member index. */
  readonly finals: Map<number, WindowState>;
}

/**
 * Event-time synchronization across topics: one window operator per member stream, windowed
 * alike, and fused windows that join the members' rows on the keys. A member's window
 * closes by its own stream time and grace (late events of that member are dropped as in a
 * single stream); the fused window closes only when every member's stream time has passed
 * end + that member's grace, so a slow topic holds a fast one back, and the fast member's
 * final rows wait. A member with no events for `idleTimeoutMs` (wall clock) stops holding
 * windows back: they close with what it has (its open window as it stands) and list it in
 * `idle`. Events that reach a fused window after it closed (an idle member waking up) are
 * not counted in it: `onAfterClose` hears how many of a member's events that was, per
 * batch, so the loss shows in a metric. Fused windows close in order of end, so one number
 * (the end of the last closed window) tells which are closed.
 *
 * Subscribers with equal plans share one FusedOperator (StreamHub), as for single streams.
 * No I/O; the owner calls `add` with each member's batches and `tick` on a timer.
 */
export class FusedOperator {
  readonly subscribers = new Set<Subscriber>();
  private readonly changes = new Set<Subscriber>();
  private readonly members: Member[];
  private readonly windows = new Map<WindowKey, FusedWindow>();
  /** Windows ending at or before this are closed (a fused window closes in order of end). */
  private closedThrough = -Infinity;

  constructor(
    readonly plan: StreamFusionPlan,
    streams: Readonly<Record<string, StreamConfig>>,
    private readonly now: () => number = Date.now,
    /** A member's events, in one batch, that went into fused windows closed already. */
    private readonly onAfterClose: (stream: string, events: number) => void = () => {},
  ) {
    const started = now();
    this.members = plan.members.map((m) => {
      const stream = streams[m.stream]!;
      return {
        stream: m.stream,
        graceMs: stream.graceMs,
        keyDims: m.keyDims,
        measures: m.measures,
        lastEventAt: started,
        operator: new WindowOperator({
          window: plan.window,
          graceMs: stream.graceMs,
          groupBy: [...new Set(m.keyDims)],
          measures: m.measures.map((name) => ({ name, aggregation: stream.measures[name]!.aggregation })),
          where: m.filter ? compileEventFilter(m.filter) : undefined,
        }),
      };
    });
  }

  /** The index of a member stream in the plan (batches are fed by index). */
  memberIndex(stream: string): number {
    return this.members.findIndex((m) => m.stream === stream);
  }

  /** A batch of one member's events; then closes what is due and tells subscribers. */
  add(index: number, batch: readonly StreamEvent[]): void {
    const member = this.members[index]!;
    if (batch.length > 0) member.lastEventAt = this.now();
    const changed = new Set<WindowKey>();
    let previous: unknown = null;
    // Whether the windows the last distinct result changed include a closed fused window.
    let intoClosed = false;
    let afterClose = 0;
    for (const event of batch) {
      const result = member.operator.add(event);
      if (result !== previous) {
        // A new frozen result: other windows changed (the same result means the same windows).
        previous = result;
        intoClosed = false;
        for (const key of result.changed) {
          changed.add(key);
          if (this.boundsOf(key).end <= this.closedThrough) intoClosed = true;
        }
      }
      if (intoClosed) afterClose++;
    }
    if (afterClose > 0) this.onAfterClose(member.stream, afterClose);
    for (const key of changed) this.touch(key, this.boundsOf(key));
    for (const final of member.operator.closeDue()) this.touch(final.key, final)?.finals.set(index, final);
    this.settle(changed);
  }

  /** Closes the windows that idle members no longer hold back (called on a timer). */
  tick(): void {
    this.settle(new Set());
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

  /** What a new subscriber sees first: the fused windows open now. */
  current(): FusedWindowState[] {
    return [...this.windows.values()].sort(byEndThenStart).map((w) => this.version(w, false, []));
  }

  /** The open fused window of a member window (null once closed), created on first sight. */
  private touch(key: WindowKey, bounds: { readonly start: number; readonly end: number }): FusedWindow | null {
    if (bounds.end <= this.closedThrough) return null;
    let window = this.windows.get(key);
    if (!window) this.windows.set(key, (window = { key, start: bounds.start, end: bounds.end, revision: -1, finals: new Map() }));
    return window;
  }

  /** A tumbling or hopping window's bounds from its key (`"<start>"`, see window/types.ts): no snapshot of its rows needed. */
  private boundsOf(key: WindowKey): { start: number; end: number } {
    const start = Number(key);
    return { start, end: start + (this.plan.window.kind === 'session' ? 0 : this.plan.window.sizeMs) };
  }

  private settle(changed: ReadonlySet<WindowKey>): void {
    const now = this.now();
    const idle = this.members.map((m) => now - m.lastEventAt >= this.plan.idleTimeoutMs);
    const open = [...this.windows.values()].sort(byEndThenStart);
    const closing: { window: FusedWindow; behind: string[] }[] = [];
    for (const [i, window] of open.entries()) {
      const behind = this.members.filter((m) => m.operator.streamTime < window.end + m.graceMs);
      const someonePassed = behind.length < this.members.length;
      const heldBack = behind.some((m) => !idle[this.members.indexOf(m)]);
      const forced = open.length - i > MAX_WAITING_WINDOWS;
      if (forced || (someonePassed && !heldBack)) closing.push({ window, behind: behind.map((m) => m.stream) });
      else break; // a later window cannot close before this one
    }
    for (const { window } of closing) {
      this.windows.delete(window.key);
      this.closedThrough = Math.max(this.closedThrough, window.end);
    }
    const versions: FusedWindowState[] = [];
    for (const key of changed) {
      const window = this.windows.get(key);
      if (!window) continue;
      window.revision += 1;
      // Versions of open windows are joined only for CHANGES subscribers.
      if (this.changes.size > 0) versions.push(this.version(window, false, []));
    }
    const finals = closing.map(({ window, behind }) => {
      if (window.revision < 0 || changed.has(window.key)) window.revision += 1;
      return this.version(window, true, behind);
    });
    if (versions.length > 0) for (const s of this.changes) s.changed(versions);
    if (finals.length > 0) for (const s of this.subscribers) s.closed(finals);
  }

  private version(window: FusedWindow, final: boolean, behind: readonly string[]): FusedWindowState {
    const now = this.now();
    const rows = joinWindowRows(
      this.plan.join,
      this.plan.keys,
      this.members.map((m, i) => ({
        rows: (window.finals.get(i) ?? m.operator.snapshot(window.key))?.rows ?? null,
        keyDims: m.keyDims,
        measures: m.measures,
      })),
    );
    return Object.freeze({
      key: window.key,
      start: window.start,
      end: window.end,
      final,
      revision: Math.max(0, window.revision),
      rows,
      idle: Object.freeze([...behind]),
      members: Object.freeze(
        this.members.map((m) =>
          Object.freeze({ stream: m.stream, time: Number.isFinite(m.operator.streamTime) ? m.operator.streamTime : null, idle: now - m.lastEventAt >= this.plan.idleTimeoutMs }),
        ),
      ),
    });
  }
}

function byEndThenStart(a: { start: number; end: number }, b: { start: number; end: number }): number {
  return a.end - b.end || a.start - b.start;
}
