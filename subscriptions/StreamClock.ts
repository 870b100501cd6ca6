import type { StreamEvent } from './window/index.ts';

/**
 * A stream's event-time clock, one per stream whatever its subscriptions: stream time is
 * the largest event time seen, and an event is late when it arrives more than `grace`
 * behind it (behind the watermark, stream time - grace). That is the stream's own notion,
 * so the late-event metric counts each late event once, with no subscriber as with many
 * (summing operators counted it once per operator, and not at all without one).
 *
 * Every window that ends by the watermark has closed and drops a late event; a longer
 * window still open may count it. An operator that drops an event saw it behind the
 * watermark, so an operator's own late count never exceeds this one.
 */
export class StreamClock {
  #time = -Infinity;

  constructor(private readonly graceMs: number) {}

  /** Stream time (epoch ms); -Infinity before the first event. */
  get time(): number {
    return this.#time;
  }

  /** Advances stream time over a batch, in arrival order; returns how many of its events were late. */
  observe(batch: readonly StreamEvent[]): number {
    let late = 0;
    for (const event of batch) {
      if (event.time + this.graceMs < this.#time) late += 1;
      else if (event.time > this.#time) this.#time = event.time;
    }
    return late;
  }
}
