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

describe('Subscriber: direct sink', () => {
  it('hands a version to the sink only while the reader waits with nothing queued, so nothing is overtaken', async () => {
    const s = new Subscriber('FINAL', 0, () => {}, () => {});
    const sent: number[] = [];
    s.setSink((state) => (sent.push(state.start), 'sent'));
    const [a, b, c] = closing(3);
    s.closed([a!, b!]); // no reader waiting yet: both queued
    expect(sent).toEqual([]);
    expect((await s.next()).value).toBe(a);
    expect((await s.next()).value).toBe(b);
    let settled = false;
    const parked = s.next().then((r) => ((settled = true), r));
    s.closed([c!]); // the reader waits and nothing is queued: straight to the sink
    expect(sent).toEqual([2000]);
    await Promise.resolve();
    expect(settled).toBe(false);
    await s.return();
    expect((await parked).done).toBe(true);
  });

  it('a declined version goes to the waiting reader, and the next one queues behind it', async () => {
    const s = new Subscriber('FINAL', 0, () => {}, () => {});
    const outcomes: ('sent' | 'declined')[] = ['declined', 'sent'];
    const sent: number[] = [];
    s.setSink((state) => {
      const o = outcomes.shift()!;
      if (o === 'sent') sent.push(state.start);
      return o;
    });
    const [a, b, c] = closing(3);
    const first = s.next();
    s.closed([a!]);
    s.closed([b!]); // the reader has not come back for more: b waits in the queue, not in the sink
    expect((await first).value).toBe(a);
    expect(sent).toEqual([]);
    expect((await s.next()).value).toBe(b);
    void s.next();
    s.closed([c!]);
    expect(sent).toEqual([2000]);
  });

  it('calls no sink after return()', async () => {
    const s = new Subscriber('FINAL', 0, () => {}, () => {});
    let calls = 0;
    s.setSink(() => (calls++, 'sent'));
    void s.next();
    s.closed(closing(1));
    await s.return();
    s.closed(closing(1));
    expect(calls).toBe(1);
  });
});

describe('Subscriber: failure (a Kafka replay that could not finish)', () => {
  it('hands out what was queued, then rejects next() once with the error, then is done; onClose runs once', async () => {
    let closes = 0;
    const s = new Subscriber('FINAL', 0, () => closes++);
    s.closed(closing(2));
    const failure = new Error('replay failed');
    s.fail(failure);
    s.fail(new Error('again')); // ignored: already ended
    expect((await s.next()).value.start).toBe(0);
    expect((await s.next()).value.start).toBe(1000);
    await expect(s.next()).rejects.toBe(failure);
    expect(await s.next()).toEqual({ value: undefined, done: true });
    await s.return();
    expect(closes).toBe(1);
  });

  it('rejects a reader already waiting', async () => {
    const s = new Subscriber('FINAL', 0, () => {});
    const waiting = s.next();
    const failure = new Error('replay failed');
    s.fail(failure);
    await expect(waiting).rejects.toBe(failure);
  });

  it('reports its backlog: versions queued for the reader', () => {
    const s = new Subscriber('FINAL', 0, () => {});
    s.closed(closing(3));
    expect(s.backlog).toBe(3);
  });
});
