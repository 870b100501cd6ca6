import type { StreamEvent } from './window/index.ts';

/**
 * The events of the last `retentionMs` of stream time, kept so that a new subscription
 * can be seeded with recent history (`since`, or the windows currently open) without
 * re-reading Kafka. Bounded by stream time and by `maxEvents`, whichever bites first.
 */
export class RetainedEvents {
  private events: StreamEvent[] = [];
  private head = 0;
  private streamTime = -Infinity;

  constructor(
    private readonly retentionMs: number,
    private readonly maxEvents = 2_000_000,
  ) {}

  add(batch: readonly StreamEvent[]): void {
    for (const e of batch) {
      this.events.push(e);
      if (e.time > this.streamTime) this.streamTime = e.time;
    }
    const horizon = this.streamTime - this.retentionMs;
    while (this.head < this.events.length && (this.events[this.head]!.time < horizon || this.events.length - this.head > this.maxEvents)) {
      this.head++;
    }
    if (this.head > 4096 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /** Retained events with time >= sinceMs, in arrival order. */
  since(sinceMs: number): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (let i = this.head; i < this.events.length; i++) if (this.events[i]!.time >= sinceMs) out.push(this.events[i]!);
    return out;
  }

  /** The earliest event time still answerable from memory. */
  get horizon(): number {
    return this.streamTime - this.retentionMs;
  }

  get size(): number {
    return this.events.length - this.head;
  }
}
