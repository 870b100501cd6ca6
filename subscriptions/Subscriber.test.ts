import { describe, expect, it } from 'vitest';
import { Subscriber } from './Subscriber.ts';
import type { WindowState } from './window/index.ts';

const window = (start: number, final: boolean): WindowState => Object.freeze({ key: String(start), start, end: start + 1000, final, revision: 0, rows: [] });
const closing = (n: number) => Array.from({ length: n }, (_, i) => window(i * 1000, true));

describe('Subscriber: versions dropped for a slow reader', () => {
  it('counts each final version it drops, and reports it once', () => {
    const reported: number[] = [];
    const s = new Subscriber('FINAL', 0, () => {}, (n) => reported.push(n), 3);
    s.closed(closing(10));
    expect([s.dropped, s.droppedFinals, reported.reduce((a, b) => a + b, 0)]).toEqual([7, 7, 7]);
    s.closed(closing(2));
    expect([s.droppedFinals, reported.reduce((a, b) => a + b, 0)]).toEqual([9, 9]);
  });

  it('keeps the newest versions', async () => {
    const s = new Subscriber('FINAL', 0, () => {}, () => {}, 3);
    s.closed(closing(10));
    const starts = [];
    for (let i = 0; i < 3; i++) starts.push((await s.next()).value.start);
    expect(starts).toEqual([7000, 8000, 9000]);
  });

  it('does not count dropped versions of windows still open as dropped windows', () => {
    const reported: number[] = [];
    const s = new Subscriber('CHANGES', 0, () => {}, (n) => reported.push(n), 2);
    s.changed([window(0, false), window(1000, false), window(2000, false), window(3000, false)]);
    expect([s.dropped, s.droppedFinals, reported]).toEqual([2, 0, []]);
  });

  it('drops nothing for a reader that keeps up', async () => {
    const reported: number[] = [];
    const s = new Subscriber('FINAL', 0, () => {}, (n) => reported.push(n), 3);
    for (const w of closing(10)) {
      const next = s.next();
      s.closed([w]);
      expect((await next).value).toBe(w);
    }
    expect([s.dropped, reported]).toEqual([0, []]);
  });
});
