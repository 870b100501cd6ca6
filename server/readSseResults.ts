import type { ExecutionResult } from 'graphql';

/**
 * The results of a GraphQL over SSE response (Yoga's distinct-connection answer): each
 * `next` event's data, until `complete` or the end of the body. Comments (keep-alive
 * pings, lines starting with ":") are skipped. Returning early, or `signal` aborting,
 * cancels the body, which ends the operation at its source.
 */
export async function* readSseResults(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<ExecutionResult> {
  const reader = body.getReader();
  // Aborting ends a pending read at once (a source query may hold the next event for long).
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  const decoder = new TextDecoder();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (event === 'complete') return;
        if (event === 'next' && data.length > 0) yield JSON.parse(data.join('\n')) as ExecutionResult;
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    await reader.cancel().catch(() => undefined);
  }
}
