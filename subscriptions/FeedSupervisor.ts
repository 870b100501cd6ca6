import { ErrorCode, TributaryError } from '../errors/index.ts';

export type FeedStatus = 'idle' | 'starting' | 'running' | 'retrying' | 'closed';

export interface FeedSupervisorOptions {
  /** The stream's name: the error's `source`, and the log's. */
  readonly stream: string;
  /** Bound on one start attempt; past it the attempt is aborted and counts as failed. */
  readonly connectTimeoutMs: number;
  /** One start attempt. It must stop what it began (connections, retries) once `signal` aborts. */
  readonly start: (signal: AbortSignal) => Promise<void>;
  /** Stops the feed once no attempt runs any more (close). */
  readonly stop: () => Promise<void>;
  log(message: string, error?: unknown): void;
  /** First wait after a failure; it doubles per failure up to `maxRetryMs`. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** How long close() waits for the feed to disconnect before it gives up on it (shutdown must end). */
const STOP_WITHIN_MS = 5_000;

/**
 * Keeps one stream's feed started: one start attempt at a time, each bounded by the
 * stream's connectTimeout. A failed attempt is retried in the background with backoff
 * (1 s doubling to 30 s), for as long as the gateway runs, so the stream recovers when its
 * brokers come back without a restart.
 *
 * `ready()` is what a subscription awaits: at once when the feed runs, else the outcome of
 * the attempt under way. A subscription during a backoff wait starts the next attempt at
 * once, so it waits at most one connectTimeout and one that comes after the brokers are
 * back succeeds. It fails with SOURCE_UNAVAILABLE (driver text and hosts only in `cause`).
 */
export class FeedSupervisor {
  private status: FeedStatus = 'idle';
  private attempt: Promise<void> | null = null;
  private abortAttempt: AbortController | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;

  constructor(private readonly options: FeedSupervisorOptions) {}

  get state(): FeedStatus {
    return this.status;
  }

  /** A getter, so checks after an await see close() (TypeScript would narrow a field read). */
  private get closed(): boolean {
    return this.status === 'closed';
  }

  /** Resolves once the feed runs; rejects with SOURCE_UNAVAILABLE when the attempt it waits on fails. */
  ready(): Promise<void> {
    if (this.status === 'running') return Promise.resolve();
    if (this.status === 'closed') return Promise.reject(unavailable(this.options.stream, new Error('the gateway is shutting down')));
    return (this.attempt ??= this.run());
  }

  /** Stops retrying, aborts an attempt under way and stops the feed, within a bounded time. */
  async close(): Promise<void> {
    if (this.status === 'closed') return;
    this.status = 'closed';
    clearTimeout(this.retryTimer);
    this.abortAttempt?.abort(new Error('the gateway is shutting down'));
    // An aborted attempt settles at once (run() races it against the signal); its leftovers
    // are the feed's to stop, and stop() is bounded: a broker that is down must not hold
    // shutdown (the process exits after close; kafkajs's own retries are bounded too).
    await this.attempt?.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const stopped = this.options.stop().then(() => true, (error: unknown) => (this.options.log(`stream ${this.options.stream}: stopping its feed failed`, error), true));
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_WITHIN_MS)));
    const inTime = await Promise.race([stopped, timedOut]);
    clearTimeout(timer);
    if (!inTime) this.options.log(`stream ${this.options.stream}: its feed did not stop within ${STOP_WITHIN_MS} ms; left behind`);
  }

  private async run(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.status = 'starting';
    const abort = new AbortController();
    this.abortAttempt = abort;
    const timer = setTimeout(() => abort.abort(new Error(`no connection within connectTimeout (${this.options.connectTimeoutMs} ms)`)), this.options.connectTimeoutMs);
    try {
      await untilAborted(this.options.start(abort.signal), abort.signal);
      if (this.closed) return; // closed as the attempt succeeded: close() stops the feed
      this.status = 'running';
      if (this.failures > 0) this.options.log(`stream ${this.options.stream}: feed started after ${this.failures} failed attempts`);
      this.failures = 0;
    } catch (error) {
      abort.abort(error); // the attempt stops whatever it had begun
      if (!this.closed) this.scheduleRetry(error);
      throw unavailable(this.options.stream, error);
    } finally {
      clearTimeout(timer);
      this.attempt = null;
      this.abortAttempt = null;
    }
  }

  private scheduleRetry(error: unknown): void {
    this.failures++;
    const first = this.options.firstRetryMs ?? 1_000;
    const waitMs = Math.min(this.options.maxRetryMs ?? 30_000, first * 2 ** Math.min(this.failures - 1, 20));
    this.status = 'retrying';
    this.options.log(`stream ${this.options.stream}: feed could not start (attempt ${this.failures}); retrying in ${waitMs} ms`, error);
    this.retryTimer = setTimeout(() => {
      // A background attempt has no waiter: its failure is logged above, never unhandled.
      this.ready().catch(() => {});
    }, waitMs);
    this.retryTimer.unref();
  }
}

/** `work`, or a rejection as soon as `signal` aborts (work's own outcome is then ignored). */
function untilAborted(work: Promise<void>, signal: AbortSignal): Promise<void> {
  work.catch(() => {}); // settles after an abort too; nobody waits for it then
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function unavailable(stream: string, cause: unknown): TributaryError {
  return new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `stream ${stream} is unavailable`, { source: stream }, cause);
}
