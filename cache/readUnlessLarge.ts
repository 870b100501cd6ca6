/**
 * Runs a bounded read and, beside it, the question "is this far too large?". A yes that
 * comes first cancels the read and gives null (the caller pushes the top-N down instead);
 * a read that ends first is the answer, and the question still running is cancelled.
 * Aborting `signal` cancels both and rejects. Every promise started here is observed.
 */
export async function readUnlessLarge<T>(read: (signal: AbortSignal) => Promise<T>, isLarge: (signal: AbortSignal) => Promise<boolean>, signal: AbortSignal): Promise<T | null> {
  const both = new AbortController();
  const stop = () => both.abort(signal.reason);
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  let large = false;
  const cancelled = new Promise<never>((_, reject) => both.signal.addEventListener('abort', () => reject(both.signal.reason), { once: true }));
  cancelled.catch(() => {}); // raced below; may settle after the race is decided
  const reading = read(both.signal);
  reading.catch(() => {}); // a read cancelled for its size may reject after we stop waiting
  isLarge(both.signal).then(
    (yes) => {
      if (yes && !both.signal.aborted) {
        large = true;
        both.abort(new Error('estimated far larger than the bound'));
      }
    },
    () => {}, // a failed question is a no
  );
  try {
    return await Promise.race([reading, cancelled]);
  } catch (error) {
    if (large && !signal.aborted) return null;
    throw error;
  } finally {
    signal.removeEventListener('abort', stop);
    if (!both.signal.aborted) both.abort(new Error('the read ended first')); // cancels the question
  }
}
