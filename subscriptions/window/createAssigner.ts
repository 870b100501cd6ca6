import { assertNever } from '../../planner/index.ts';
import { HoppingWindow } from './HoppingWindow.ts';
import { SessionWindows } from './SessionWindows.ts';
import { TumblingWindow } from './TumblingWindow.ts';
import type { WindowSpec } from './types.ts';
import type { WindowAssigner } from './WindowAssigner.ts';

/** The assigner for a window spec; `graceMs` is already validated. */
export function createAssigner(spec: WindowSpec, graceMs: number): WindowAssigner {
  switch (spec.kind) {
    case 'tumble':
      return fixedAssigner(new TumblingWindow(spec.sizeMs), graceMs);
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
