import type { LandingShape } from './landingShape.ts';
import { TumblingWindow, WindowOperator, type StreamEvent, type WindowState } from './window/index.ts';

/**
 * Where a partition's landing resumes: the offset of the first record to read, and the
 * partition's stream time (watermark) at the moment its landed windows were written.
 */
export interface PartitionPosition {
  readonly offset: number;
  readonly watermark: number;
}

/**
 * The landing windows of ONE Kafka partition, with their own event time, and the position
 * from which they can be rebuilt. Records come in offset order (`add`); closed windows come
 * out of `closeDue` with `position`, which is what is stored in the same transaction.
 *
 * The position's offset is the smallest offset of any event in a window still open (or
 * the next offset when none is open): re-reading from there rebuilds every open window from
 * the same events. Its watermark is the stream time then; restored, it makes every event of
 * an already landed window late on the re-read (end + grace <= watermark), so a landed
 * window is never landed again from part of its events, and a window open then takes again
 * exactly the events it took before: it closes with the same rows, whichever replica re-reads.
 *
 * A partition landed for the first time starts with watermark = the first window start at
 * or after the instant it starts reading from, plus grace: windows before it are late (the
 * feed did not see all their events), as the single-feed writer skipped them.
 */
export class PartitionWindows {
  private readonly operator: WindowOperator;
  private readonly tumble: TumblingWindow;
  /** Window start → the smallest offset of an event in that open window. */
  private readonly firstOffsets = new Map<number, number>();
  private next: number;
  private watermark: number;
  /** Events of windows closed (landed) before they came: dropped. */
  lateEvents = 0;

  constructor(private readonly shape: LandingShape, from: PartitionPosition) {
    this.operator = new WindowOperator(shape.operator);
    this.tumble = new TumblingWindow(shape.windowMs);
    this.next = from.offset;
    this.watermark = from.watermark;
  }

  /** The position of a partition read for the first time from `offset` (found by time `startedAt`). */
  static firstPosition(shape: LandingShape, offset: number, startedAt: number): PartitionPosition {
    const floor = Math.ceil(startedAt / shape.windowMs) * shape.windowMs;
    return { offset, watermark: floor + shape.graceMs };
  }

  /** The offset of the next record this partition expects. */
  get nextOffset(): number {
    return this.next;
  }

  /**
   * Takes the record at `offset`: its decoded event, or null for a record that is no event
   * (it only moves the position). A record before `nextOffset` was taken already (Kafka
   * redelivers after a seek or a reconnect) and is ignored; returns whether it was taken.
   */
  add(offset: number, event: StreamEvent | null): boolean {
    if (offset < this.next) return false;
    this.next = offset + 1;
    if (event === null) return true;
    const e = this.shape.toOperatorEvent(event);
    const [window] = this.tumble.windowsFor(e.time);
    if (!window || window.end + this.shape.graceMs <= this.watermark) {
      this.lateEvents += 1;
      return true;
    }
    if (!this.operator.add(e).accepted) return true; // malformed for the operator: no time, no window
    if (e.time > this.watermark) this.watermark = e.time;
    if (!this.firstOffsets.has(window.start)) this.firstOffsets.set(window.start, offset);
    return true;
  }

  /** Closes the windows due at this partition's stream time; `position` is the one to store with them. */
  closeDue(): { readonly windows: WindowState[]; readonly position: PartitionPosition } {
    const windows = this.operator.closeDue();
    for (const w of windows) this.firstOffsets.delete(w.start);
    return { windows, position: this.position };
  }

  /** Where a re-read must start to rebuild the windows open now. */
  get position(): PartitionPosition {
    let offset = this.next;
    for (const first of this.firstOffsets.values()) if (first < offset) offset = first;
    return { offset, watermark: this.watermark };
  }

  /** The windows open now (tests). */
  openWindows(): WindowState[] {
    return this.operator.openWindows();
  }
}
