import { alignedStart, getValidDuration } from './alignedStart.ts';

/**
 * The most windows one event may fall in: ceil(size / advance). Each event updates that
 * many windows and an operator keeps about as many open, so without a bound one hopping
 * subscription (`1d` every `1ms`: 86,400,000) could take the process down.
 */
export const MAX_WINDOWS_PER_EVENT = 1_000;

/**
 * Overlapping windows `[start, start + size)` starting every `advance` ms from the Unix
 * epoch. An instant lies in every window whose start is a multiple of `advance` within
 * `(time - size, time]`: ceil(size / advance) or floor(size / advance) windows.
 * `advance` must not exceed `size`, so that no instant falls between windows.
 */
export class HoppingWindow {
  readonly sizeMs: number;
  readonly advanceMs: number;

  constructor(sizeMs: number, advanceMs: number) {
    this.sizeMs = getValidDuration('HoppingWindow', 'sizeMs', sizeMs);
    this.advanceMs = getValidDuration('HoppingWindow', 'advanceMs', advanceMs);
    if (advanceMs > sizeMs) {
      throw new Error(
        `HoppingWindow: advanceMs must be at most sizeMs, so that every event falls in a window, but received: sizeMs ${sizeMs}, advanceMs ${advanceMs}`,
      );
    }
    if (Math.ceil(sizeMs / advanceMs) > MAX_WINDOWS_PER_EVENT) {
      throw new Error(
        `HoppingWindow: sizeMs / advanceMs (windows per event) must be at most ${MAX_WINDOWS_PER_EVENT}, but received: sizeMs ${sizeMs}, advanceMs ${advanceMs} (${Math.ceil(sizeMs / advanceMs)} windows)`,
      );
    }
  }

  /** The windows containing `time` (epoch ms), earliest start first. */
  windowsFor(time: number): { start: number; end: number }[] {
    const windows: { start: number; end: number }[] = [];
    for (let start = alignedStart(time, this.advanceMs); start + this.sizeMs > time; start -= this.advanceMs) {
      windows.push({ start, end: start + this.sizeMs });
    }
    return windows.reverse();
  }
}
