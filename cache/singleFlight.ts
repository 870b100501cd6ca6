/**
 * Runs `work` once per key at a time: callers that arrive while it runs share its promise.
 * The key is forgotten when the work settles, so a failure is not remembered.
 *
 * The work gets a signal that aborts only when every caller waiting for it has aborted:
 * one client going away does not cancel a source query others still wait for, and the
 * last one going away does.
 */
export function createSingleFlight<T>() {
  interface Flight {
    readonly promise: Promise<T>;
    readonly controller: AbortController;
    waiting: number;
  }
  const inFlight = new Map<string, Flight>();

  return {
    run(key: string, work: (signal: AbortSignal) => Promise<T>, callerSignal?: AbortSignal): { promise: Promise<T>; shared: boolean } {
      let flight = inFlight.get(key);
      const shared = flight !== undefined;
      if (!flight) {
        const controller = new AbortController();
        const promise = work(controller.signal).finally(() => inFlight.delete(key));
        flight = { promise, controller, waiting: 0 };
        inFlight.set(key, flight);
      }
      const joined = flight;
      joined.waiting++;
      callerSignal?.addEventListener(
        'abort',
        () => {
          if (--joined.waiting === 0) joined.controller.abort(callerSignal.reason);
        },
        { once: true },
      );
      if (callerSignal?.aborted && joined.waiting === 0) joined.controller.abort(callerSignal.reason);
      return { promise: joined.promise, shared };
    },
    get size(): number {
      return inFlight.size;
    },
  };
}
