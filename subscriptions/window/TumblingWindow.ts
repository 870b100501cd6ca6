import { alignedStart, getValidDuration } from './alignedStart.ts';

/**
 * Fixed-size, non-overlapping windows `[start, start + size)` whose starts are multiples of
 * the size counted from the Unix epoch: every instant lies in exactly one window.
 */
export class TumblingWindow {
  readonly sizeMs: number;

  constructor(sizeMs: number) {
    this.sizeMs = getValidDuration('TumblingWindow', 'sizeMs', sizeMs);
  }

  /** The one window containing `time` (epoch ms). */
  windowsFor(time: number): { start: number; end: number }[] {
    const start = alignedStart(time, this.sizeMs);
    return [{ start, end: start + this.sizeMs }];
  }
}
