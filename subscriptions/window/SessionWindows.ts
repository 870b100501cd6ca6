import { getValidDuration } from './alignedStart.ts';
import type { Placement, WindowAssigner, WindowBounds } from './WindowAssigner.ts';

interface Session {
  readonly key: string;
  start: number;
  last: number;
}

/**
 * One session timeline per operator (not per group): an event at t stands for the window
 * `[t, t + gap)`; windows that overlap merge, so a session is `[first event, last event +
 * gap)` and ends after `gap` without events. An event at exactly `last + gap` starts a new
 * session. An out-of-order event can bridge two sessions: the earlier one survives (its
 * key, its start) and absorbs the later, which disappears without a final version.
 *
 * Invariants: open sessions are disjoint and sorted by start. A session closes when stream
 * time reaches `end + grace`; since sessions are disjoint, the closed ones are always a
 * prefix of the timeline, so `closedUpTo` (the latest end closed) is all that has to be
 * remembered of them: an event before it would revise a closed session or open one that
 * is already past its close.
 */
export class SessionWindows implements WindowAssigner {
  readonly gapMs: number;
  readonly #graceMs: number;
  #open: Session[] = [];
  #closedUpTo = -Infinity;
  #created = 0;

  constructor(gapMs: number, graceMs: number) {
    this.gapMs = getValidDuration('SessionWindows', 'gapMs', gapMs);
    this.#graceMs = graceMs;
  }

  place(time: number, streamTime: number): Placement | null {
    const gap = this.gapMs;
    if (time < this.#closedUpTo) return null;
    const touched = this.#open.filter((s) => s.start < time + gap && time < s.last + gap);
    const isClosed = (end: number) => end + this.#graceMs <= streamTime;
    if (touched.some((s) => isClosed(s.last + gap))) return null;
    const [survivor, ...absorbed] = touched;
    if (!survivor) {
      if (isClosed(time + gap)) return null;
      const session: Session = { key: `session-${this.#created++}`, start: time, last: time };
      this.#open.push(session);
      this.#open.sort((a, b) => a.start - b.start);
      return { windows: [this.#bounds(session)], absorbed: [] };
    }
    survivor.start = Math.min(survivor.start, time);
    survivor.last = Math.max(time, ...touched.map((s) => s.last));
    this.#open = this.#open.filter((s) => !absorbed.includes(s));
    return { windows: [this.#bounds(survivor)], absorbed: absorbed.map((s) => s.key) };
  }

  closed(window: WindowBounds): void {
    this.#open = this.#open.filter((s) => s.key !== window.key);
    this.#closedUpTo = Math.max(this.#closedUpTo, window.end);
  }

  #bounds(session: Session): WindowBounds {
    return { key: session.key, start: session.start, end: session.last + this.gapMs };
  }
}
