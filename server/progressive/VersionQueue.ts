/**
 * The versions of a progressive answer on their way to one consumer. A newer version
 * replaces one the consumer has not taken yet (each is the whole answer so far, so a slow
 * client skips to the latest instead of queueing them); the final one ends it. return()
 * (the client left) runs `onCancel` at once, even while the producer is between versions.
 */
export class VersionQueue<T extends object> implements AsyncIterableIterator<T> {
  private latest: T | null = null;
  private ended = false;
  private failure: { readonly error: unknown } | null = null;
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failWaiting: ((error: unknown) => void) | null = null;

  constructor(private readonly onCancel: () => void) {}

  /** A new version; `last` ends the queue after it. */
  push(version: T, last: boolean): void {
    if (this.ended && !last) return;
    this.ended ||= last;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: version, done: false });
    } else {
      this.latest = version;
    }
  }

  /** The producer failed: the consumer gets the error after any version it has not taken. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = this.failWaiting = null;
      reject(error);
    } else {
      this.failure = { error };
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.latest) {
      const value = this.latest;
      this.latest = null;
      return Promise.resolve({ value, done: false });
    }
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    const wasEnded = this.ended;
    this.ended = true;
    this.latest = null;
    this.failure = null;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: undefined, done: true });
    }
    if (!wasEnded) this.onCancel();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
