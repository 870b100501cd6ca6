/**
 * Runs `work` once per key at a time: callers that arrive while it runs share its promise.
 * The key is forgotten when the work settles, so a failure is not remembered.
 *
 * The work gets a signal that aborts only when every caller waiting for it has aborted:
 * one client going away does not cancel a source query others still wait for, and the
 * last one going away does. Invariants: `waiting` counts callers whose signal has not
 * aborted (a caller that arrives already aborted is never counted, and never starts or
 * joins work); a flight whose signal has aborted is never joined (it is doomed to fail
 * with the abort), so a caller arriving after that starts a fresh one.
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
      if (callerSignal?.aborted) return { promise: Promise.reject(callerSignal.reason), shared: false };
      let flight = inFlight.get(key);
      if (flight?.controller.signal.aborted) flight = undefined;
      const shared = flight !== undefined;
      if (!flight) {
        const controller = new AbortController();
        const created: Flight = {
          // Only this flight's own settling may forget the key: a fresh flight may have replaced it.
          promise: work(controller.signal).finally(() => {
            if (inFlight.get(key) === created) inFlight.delete(key);
          }),
          controller,
          waiting: 0,
        };
        inFlight.set(key, (flight = created));
      }
      const joined = flight;
      joined.waiting++;
      if (callerSignal) {
        const onAbort = () => {
          if (--joined.waiting === 0) joined.controller.abort(callerSignal.reason);
        };
        callerSignal.addEventListener('abort', onAbort, { once: true });
        // A long-lived signal (a connection's) must not keep every settled flight alive.
        const forget = () => callerSignal.removeEventListener('abort', onAbort);
        joined.promise.then(forget, forget);
      }
      return { promise: joined.promise, shared };
    },
    get size(): number {
      return inFlight.size;
    },
  };
}
