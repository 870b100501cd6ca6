import { GraphQLError, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DirectRoute, MAX_BUFFERED_BYTES, type FrameSocket } from './DirectRoute.ts';

function socket(state: Partial<{ readyState: number; bufferedAmount: number }> = {}) {
  const frames: string[] = [];
  const s: FrameSocket & { frames: string[] } = { readyState: 1, bufferedAmount: 0, ...state, frames, send: (data) => void frames.push(data) };
  return s;
}

describe('DirectRoute', () => {
  it('sends the frame graphql-ws would send, whatever the id, with the result serialized once', () => {
    const result: ExecutionResult = { data: { w: { rows: [{ region: 'east', note: 'a "q" \u2028' }], final: true } } };
    const runs: object[] = [];
    for (const id of ['1', 'a"b\\c', '\u{1F642}', '']) {
      const s = socket();
      const route = new DirectRoute(s, id, () => true);
      route.executeWith((event) => (runs.push(event), result));
      expect(route.deliver({})).toBe('sent');
      expect(s.frames).toEqual([JSON.stringify({ id, type: 'next', payload: result })]);
    }
    expect(runs).toHaveLength(4);
  });

  it('declines (the event takes graphql-ws own path) until it knows how to execute, and when the operation or socket is gone or behind', () => {
    const ok = (): ExecutionResult => ({ data: { n: 1 } });
    const declined = (s: FrameSocket, open = true, run: ((e: object) => ExecutionResult | Promise<ExecutionResult>) | null = ok) => {
      const route = new DirectRoute(s, '1', () => open);
      if (run) route.executeWith(run);
      return route.deliver({});
    };
    expect(declined(socket(), true, null)).toBe('declined');
    expect(declined(socket(), false)).toBe('declined');
    expect(declined(socket({ readyState: 2 }))).toBe('declined');
    expect(declined(socket({ bufferedAmount: MAX_BUFFERED_BYTES + 1 }))).toBe('declined');
    expect(declined(socket({ bufferedAmount: MAX_BUFFERED_BYTES }))).toBe('sent');
  });

  it('declines results that carry errors (they must pass the error plugins) and results not ready at once', () => {
    const s = socket();
    const withErrors = new DirectRoute(s, '1', () => true);
    withErrors.executeWith(() => ({ data: null, errors: [new GraphQLError('boom')] }));
    expect(withErrors.deliver({})).toBe('declined');
    const later = new DirectRoute(s, '2', () => true);
    later.executeWith(() => Promise.resolve({ data: { n: 1 } }));
    expect(later.deliver({})).toBe('declined');
    expect(s.frames).toEqual([]);
  });
});
