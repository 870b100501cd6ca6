import { describe, expect, it } from 'vitest';
import { framePayload, markShared, spliceFrame } from './serializedOnce.ts';

/** How graphql-ws builds a `next` frame: JSON.stringify of { id, type, payload }. */
const frame = (id: string, payload: unknown) => JSON.stringify({ id, type: 'next', payload });

describe('serializedOnce', () => {
  it('a shared result goes out as its own JSON, whatever the frame id', () => {
    const result = { data: { w: { rows: [{ region: 'east', n: 1 }], note: 'a "quoted" \u0000 text' } } };
    markShared(result);
    for (const id of ['1', 'x"}', '\u0000tributary:shared-payload\u0000', '']) {
      const sent = spliceFrame(frame(id, framePayload(result)));
      expect(JSON.parse(sent)).toEqual({ id, type: 'next', payload: result });
    }
  });

  it('a result not marked shared is left to graphql-ws, and its frame passes unchanged', () => {
    const result = { data: { x: 1 } };
    expect(framePayload(result)).toBeUndefined();
    const f = frame('\u0000tributary:shared-payload\u0000', result);
    expect(spliceFrame(f)).toBe(f);
    expect(spliceFrame('{"id":"1","type":"complete"}')).toBe('{"id":"1","type":"complete"}');
  });

  it('serializes a shared result once however many frames carry it', () => {
    let reads = 0;
    const result = {
      get data() {
        reads += 1;
        return { n: 1 };
      },
    };
    markShared(result as never);
    for (let i = 0; i < 5; i++) expect(JSON.parse(spliceFrame(frame(String(i), framePayload(result)))).payload).toEqual({ data: { n: 1 } });
    expect(reads).toBe(1);
  });
});
