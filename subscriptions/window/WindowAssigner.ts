import type { WindowKey } from './types.ts';

export interface WindowBounds {
  readonly key: WindowKey;
  readonly start: number;
  readonly end: number;
}

/** Where one event goes: the open windows it updates, and the sessions a merge folded into `windows[0]`. */
export interface Placement {
  readonly windows: readonly WindowBounds[];
  readonly absorbed: readonly WindowKey[];
}

/**
 * Assigns event times to windows and decides lateness. A window is closed once stream time
 * reaches `end + grace`; an event is late (null) when it would change only closed windows.
 * Stream time never decreases, so closed windows stay closed.
 */
export interface WindowAssigner {
  place(time: number, streamTime: number): Placement | null;
  /** Told when the operator closes a window. */
  closed(window: WindowBounds): void;
}
