import { assertNever } from '../../planner/index.ts';
import { HoppingWindow } from './HoppingWindow.ts';
import { SessionWindows } from './SessionWindows.ts';
import { TumblingWindow } from './TumblingWindow.ts';
import type { WindowSpec } from './types.ts';
import type { Placement, WindowAssigner } from './WindowAssigner.ts';

/** The assigner for a window spec; `graceMs` is already validated. */
export function createAssigner(spec: WindowSpec, graceMs: number): WindowAssigner {
  switch (spec.kind) {
    case 'tumble':
      return tumblingAssigner(new TumblingWindow(spec.sizeMs), graceMs);
    case 'hop':
      return fixedAssigner(new HoppingWindow(spec.sizeMs, spec.advanceMs), graceMs);
    case 'session':
      return new SessionWindows(spec.gapMs, graceMs);
    default:
      return assertNever(spec);
  }
}

/**
 * Epoch-aligned windows are known from the event time alone, so whether one is closed is
 * arithmetic (`end + grace <= streamTime`): no closed windows need to be remembered.
 * Of a hopping event's windows, the closed ones are skipped and the open ones updated.
 */
function fixedAssigner(windows: TumblingWindow | HoppingWindow, graceMs: number): WindowAssigner {
  return {
    place(time, streamTime) {
      const open = windows.windowsFor(time).filter((w) => w.end + graceMs > streamTime);
      if (open.length === 0) return null;
      return { windows: open.map((w) => ({ key: String(w.start), ...w })), absorbed: [] };
    },
    closed() {},
  };
}

/**
 * Tumbling windows, as fixedAssigner, for the common case of one window per event: events in
 * arrival order mostly fall in the same window as the one before, so that window's placement
 * (frozen data) is reused while it is open, instead of being built again for every event.
 */
function tumblingAssigner(windows: TumblingWindow, graceMs: number): WindowAssigner {
  let last: Placement | null = null;
  let lastStart = NaN;
  let lastEnd = NaN;
  return {
    place(time, streamTime) {
      if (!(time >= lastStart && time < lastEnd)) {
        const { start, end } = windows.windowsFor(time)[0]!;
        last = Object.freeze({ windows: Object.freeze([Object.freeze({ key: String(start), start, end })]), absorbed: Object.freeze([]) });
        [lastStart, lastEnd] = [start, end];
      }
      return lastEnd + graceMs > streamTime ? last : null;
    },
    closed() {},
  };
}
