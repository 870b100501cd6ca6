/**
 * A subscription's source iterator seen through `map`: each value mapped, return()
 * (unsubscribing) passed through to the source, `onEnd` run when it ends either way. With
 * `onError`, a rejected next() becomes one last event (`onError(error)`) and then the end,
 * so the transport ends the operation with the field's error instead of failing the
 * connection; without it, the rejection reaches the caller.
 */
export function mapEvents<T, U>(
  source: AsyncIterableIterator<T>,
  map: (value: T) => U,
  options: { readonly onEnd?: () => void; readonly onError?: (error: unknown) => U } = {},
): AsyncIterableIterator<U> {
  let done = false;
  const end = () => {
    done = true;
    options.onEnd?.();
  };
  const onError = options.onError;
  const iterator: AsyncIterableIterator<U> = {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      const next = source.next().then((r): IteratorResult<U> => {
        if (!r.done) return { value: map(r.value), done: false };
        end();
        return { value: undefined, done: true };
      });
      if (!onError) return next;
      return next.catch((error: unknown): IteratorResult<U> => {
        end();
        return { value: onError(error), done: false };
      });
    },
    async return() {
      end();
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
