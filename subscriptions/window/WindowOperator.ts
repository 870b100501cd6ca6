import { isValidInput } from './Accumulator.ts';
import { createAssigner } from './createAssigner.ts';
import { getValidOperatorOptions, type WindowOperatorOptions } from './getValidOperatorOptions.ts';
import { GroupTable } from './GroupTable.ts';
import type { AddResult, StreamEvent, WindowKey, WindowState } from './types.ts';
import type { Placement, WindowAssigner } from './WindowAssigner.ts';

export type { WindowOperatorOptions } from './getValidOperatorOptions.ts';

interface OpenWindow {
  readonly key: WindowKey;
  start: number;
  end: number;
  revision: number;
  readonly groups: GroupTable;
}

const BAD: AddResult = Object.freeze({ accepted: false, late: false, changed: [], removed: [] });
const LATE: AddResult = Object.freeze({ accepted: false, late: true, changed: [], removed: [] });
const FILTERED: AddResult = Object.freeze({ accepted: true, late: false, changed: [], removed: [] });

/**
 * The event-time windowing of one stream plan, without I/O or timers: events come in by
 * `add` in arrival order, time is the largest event time seen (stream time), and the caller
 * decides when to `closeDue` and when to `snapshot` (throttling CHANGES).
 *
 * - A window closes when stream time reaches `end + grace`; events that would change only
 *   closed windows are late: dropped and counted, also before `closeDue` ran.
 * - Every event (also one `where` rejects) advances stream time, so a selective filter does
 *   not hold windows open.
 * - Memory: open windows are those with `end + grace > streamTime`, so their number is
 *   bounded by (size + grace) / advance, or (gap + grace) / gap + 1 for sessions; groups
 *   per window grow with the groupBy cardinality. Closed windows are forgotten (lateness
 *   is arithmetic, see WindowAssigner). A stream whose time stops advancing keeps its open
 *   windows until `flush`.
 */
export class WindowOperator {
  readonly #options: WindowOperatorOptions;
  readonly #assigner: WindowAssigner;
  readonly #open = new Map<WindowKey, OpenWindow>();
  #streamTime = -Infinity;
  #events = 0;
  #lateEvents = 0;
  #badEvents = 0;
  #flushed = false;
  /** The last placement without merges and its result: an assigner that reuses a placement gets the same frozen result. */
  #lastPlacement: Placement | null = null;
  #lastResult: AddResult = FILTERED;
  /** The one window of #lastPlacement, while open: the next event of that placement updates it without a lookup. */
  #lastWindow: OpenWindow | null = null;

  constructor(options: WindowOperatorOptions) {
    this.#options = getValidOperatorOptions(options);
    this.#assigner = createAssigner(options.window, options.graceMs);
  }

  /** The largest event time seen (epoch ms); -Infinity before the first good event. */
  get streamTime(): number {
    return this.#streamTime;
  }
  /** Every event offered to `add`, including late and bad ones. */
  get events(): number {
    return this.#events;
  }
  get lateEvents(): number {
    return this.#lateEvents;
  }
  /** Events with a non-finite time or a dimension or measure value of the wrong kind. */
  get badEvents(): number {
    return this.#badEvents;
  }

  add(event: StreamEvent): AddResult {
    if (this.#flushed) throw new Error('WindowOperator: add() after flush(); flush() ends the stream, create a new operator to start again');
    this.#events += 1;
    if (!this.#isWellFormed(event)) {
      this.#badEvents += 1;
      return BAD;
    }
    this.#streamTime = Math.max(this.#streamTime, event.time);
    if (this.#options.where && !this.#options.where(event.dims)) return FILTERED;
    const placement = this.#assigner.place(event.time, this.#streamTime);
    if (!placement) {
      this.#lateEvents += 1;
      return LATE;
    }
    // Events in arrival order mostly land in the window of the event before (tumbling):
    // the same placement, the same open window, the same frozen result.
    const same = placement === this.#lastPlacement ? this.#lastWindow : null;
    if (same) {
      same.revision += 1;
      same.groups.add(event);
      return this.#lastResult;
    }
    let window: OpenWindow | undefined;
    for (const bounds of placement.windows) {
      window = this.#open.get(bounds.key);
      if (window) {
        window.revision += 1;
        window.start = bounds.start;
        window.end = bounds.end;
      } else {
        window = { ...bounds, revision: 0, groups: new GroupTable(this.#options.groupBy, this.#options.measures) };
        this.#open.set(bounds.key, window);
      }
      for (const key of placement.absorbed) {
        window.groups.merge(this.#open.get(key)!.groups);
        this.#open.delete(key);
      }
      window.groups.add(event);
    }
    if (placement !== this.#lastPlacement) {
      const changed = Object.freeze(placement.windows.map((w) => w.key));
      const result: AddResult = Object.freeze({ accepted: true, late: false, changed, removed: Object.freeze([...placement.absorbed]) });
      if (placement.absorbed.length > 0) return result;
      this.#lastPlacement = placement;
      this.#lastResult = result;
    }
    this.#lastWindow = placement.windows.length === 1 ? window! : null;
    return this.#lastResult;
  }

  /** Closes the windows with `end + grace <= streamTime`, in order of end, then start; their final versions. */
  closeDue(): WindowState[] {
    const grace = this.#options.graceMs;
    return this.#closeAll([...this.#open.values()].filter((w) => w.end + grace <= this.#streamTime));
  }

  /** Closes every open window (shutdown, tests); the operator accepts no events after this. */
  flush(): WindowState[] {
    this.#flushed = true;
    return this.#closeAll([...this.#open.values()]);
  }

  /** The current version of an open window; undefined once closed or absorbed (or for an unknown key). */
  snapshot(key: WindowKey): WindowState | undefined {
    const window = this.#open.get(key);
    return window && stateOf(window, false);
  }

  /** The current versions of all open windows, by start, then end. */
  openWindows(): WindowState[] {
    return [...this.#open.values()].sort((a, b) => a.start - b.start || a.end - b.end).map((w) => stateOf(w, false));
  }

  #closeAll(windows: OpenWindow[]): WindowState[] {
    windows.sort((a, b) => a.end - b.end || a.start - b.start);
    if (this.#lastWindow && windows.includes(this.#lastWindow)) this.#lastWindow = null;
    for (const window of windows) {
      this.#open.delete(window.key);
      this.#assigner.closed(window);
    }
    return windows.map((w) => stateOf(w, true));
  }

  #isWellFormed(event: StreamEvent): boolean {
    if (typeof event?.time !== 'number' || !Number.isFinite(event.time)) return false;
    const { dims, values } = event;
    if (typeof dims !== 'object' || dims === null || typeof values !== 'object' || values === null) return false;
    // Loops, not every(): this runs for every event of a stream.
    for (const name of this.#options.groupBy) if (!isDimensionValue(dims[name] ?? null)) return false;
    for (const m of this.#options.measures) if (!isValidInput(m.aggregation, values[m.name] ?? null)) return false;
    return true;
  }
}

function isDimensionValue(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}

function stateOf(window: OpenWindow, final: boolean): WindowState {
  const { key, start, end, revision } = window;
  return Object.freeze({ key, start, end, final, revision, rows: window.groups.rows() });
}
