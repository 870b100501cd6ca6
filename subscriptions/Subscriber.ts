import { createThrottle, type WindowKey, type WindowState } from './window/index.ts';

/**
 * What a transport did with a version handed to it directly: sent it, or declined it (the
 * version then goes to the waiting reader as usual: a result with errors, a socket behind
 * on its writes).
 */
export type DeliveryOutcome = 'sent' | 'declined';
/** Takes a window version straight to a transport, synchronously. */
export type DirectSink = (state: WindowState) => DeliveryOutcome;

/**
 * One subscription's end of a shared window operator: an async iterator of window
 * versions. CHANGES versions of a window are conflated (only its latest counts) and
 * released at most once per throttle interval; FINAL versions are queued. The queue is
 * bounded twice: a reader that keeps pulling may fall up to `maxQueued` versions behind
 * (a burst closing hundreds of windows at once loses none); a reader that has not pulled
 * for `stallMs` keeps only the newest `stalledQueued`. Dropped versions are counted in
 * `dropped`; memory per subscriber stays bounded either way. A dropped final version is a
 * window this reader never sees closed: those are counted in `droppedFinals` and reported
 * to `onDroppedFinals` (the tributary_stream_dropped_windows_total metric).
 *
 * With a direct sink (setSink), a version is handed to the sink instead of the reader when
 * the reader is waiting in next() with nothing queued: everything read before it has been
 * delivered, so the sink cannot overtake it. The reader then stays parked, and a window
 * version costs no promise, iterator result or async hop per subscriber (fan-out to many
 * subscribers of one plan). A declined version goes to the reader as without a sink.
 */
export class Subscriber implements AsyncIterableIterator<WindowState> {
  private readonly pending = new Map<WindowKey, WindowState>();
  private readonly ready: WindowState[] = [];
  private readonly throttle;
  private timer: NodeJS.Timeout | undefined;
  private waiter: ((result: IteratorResult<WindowState>) => void) | undefined;
  private done = false;
  private lastPull = Date.now();
  private sink: DirectSink | undefined;
  /** Why the subscription failed (a Kafka replay that could not finish): next() rejects with it once the queue is read. */
  private failure: Error | undefined;
  dropped = 0;
  droppedFinals = 0;

  constructor(
    readonly emit: 'CHANGES' | 'FINAL',
    throttleMs: number,
    private readonly onClose: (s: Subscriber) => void,
    private readonly onDroppedFinals: (windows: number) => void = () => {},
    private readonly maxQueued = 10_000,
    private readonly stalledQueued = 256,
    private readonly stallMs = 2_000,
  ) {
    this.throttle = createThrottle(throttleMs);
  }

  /** Hands versions to `sink` while the reader waits (see the class comment). */
  setSink(sink: DirectSink): void {
    this.sink = sink;
  }

  /** New versions of open windows (ignored by FINAL subscribers). */
  changed(states: readonly WindowState[]): void {
    if (this.done || this.emit === 'FINAL' || states.length === 0) return;
    for (const s of states) this.pending.set(s.key, s);
    this.release();
  }

  /** Windows that closed: their final versions, in closing order. */
  closed(states: readonly WindowState[]): void {
    if (this.done || states.length === 0) return;
    for (const s of states) this.pending.delete(s.key);
    this.flushPending();
    for (const s of states) this.push(s);
  }

  /** Windows merged away (sessions): forget their pending versions. */
  removed(keys: readonly WindowKey[]): void {
    for (const k of keys) this.pending.delete(k);
  }

  private release(): void {
    const now = Date.now();
    if (this.throttle.shouldEmit(now)) return this.flushPending();
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.release();
      }, Math.max(1, this.throttle.nextAllowedAt - now));
      this.timer.unref();
    }
  }

  private flushPending(): void {
    if (this.pending.size === 0) return; // FINAL subscribers, and CHANGES ones between versions: nothing to sort
    const versions = [...this.pending.values()].sort((a, b) => a.start - b.start || a.end - b.end);
    this.pending.clear();
    for (const s of versions) this.push(s);
  }

  private push(state: WindowState): void {
    if (this.waiter) {
      if (this.sink && this.sink(state) === 'sent') return;
      const w = this.waiter;
      this.waiter = undefined;
      return w({ value: state, done: false });
    }
    this.ready.push(state);
    const cap = Date.now() - this.lastPull > this.stallMs ? this.stalledQueued : this.maxQueued;
    if (this.ready.length > cap) {
      this.countDropped(this.ready.splice(0, this.ready.length - cap));
    }
  }

  private countDropped(dropped: readonly WindowState[]): void {
    this.dropped += dropped.length;
    let finals = 0;
    for (const s of dropped) if (s.final) finals += 1;
    if (finals > 0) {
      this.droppedFinals += finals;
      this.onDroppedFinals(finals);
    }
  }

  /** Versions queued for the reader (a replay waits while it is long: backpressure). */
  get backlog(): number {
    return this.ready.length;
  }

  /**
   * Ends the subscription with `error`: the reader gets what was queued, then next()
   * rejects with it (the transport sends it as the subscription's error).
   */
  fail(error: Error): void {
    if (this.done) return;
    this.failure = error;
    this.done = true;
    this.sink = undefined;
    clearTimeout(this.timer);
    this.pending.clear();
    this.onClose(this);
    const w = this.waiter;
    this.waiter = undefined;
    // Resolving with a rejected promise rejects the waiting next() (the promise is adopted, so handled).
    w?.(Promise.reject(error) as unknown as IteratorResult<WindowState>);
  }

  next(): Promise<IteratorResult<WindowState>> {
    this.lastPull = Date.now();
    const value = this.ready.shift();
    if (value) return Promise.resolve({ value, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined; // once; then the iterator is done
      return Promise.reject(failure);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiter = resolve));
  }

  return(): Promise<IteratorResult<WindowState>> {
    if (!this.done) {
      this.done = true;
      this.sink = undefined;
      clearTimeout(this.timer);
      this.pending.clear();
      this.ready.length = 0;
      this.onClose(this);
      this.waiter?.({ value: undefined, done: true });
      this.waiter = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WindowState> {
    return this;
  }
}
