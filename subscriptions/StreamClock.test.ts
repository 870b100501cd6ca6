import { describe, expect, it } from 'vitest';
import { StreamClock } from './StreamClock.ts';
import { WindowOperator, type StreamEvent } from './window/index.ts';

const at = (...times: number[]): StreamEvent[] => times.map((time) => ({ time, dims: {}, values: {} }));

describe('StreamClock (grace 500 ms)', () => {
  it.each<[string, number[], number, number]>([
    ['in order: none late', [1000, 2000, 3000], 0, 3000],
    ['behind by exactly grace: not late', [3000, 2500], 0, 3000],
    ['behind by more than grace: late', [3000, 2499], 1, 3000],
    ['a late event does not move stream time back', [5000, 1000, 4600], 1, 5000],
    ['each late event counts once', [9000, 1, 2, 3, 8600], 3, 9000],
  ])('%s', (_, times, late, time) => {
    const clock = new StreamClock(500);
    expect(clock.observe(at(...times))).toBe(late);
    expect(clock.time).toBe(time);
  });

  it('keeps stream time across batches', () => {
    const clock = new StreamClock(500);
    expect(clock.observe(at(10_000))).toBe(0);
    expect(clock.observe(at(9_000, 9_600))).toBe(1);
  });

  it('counts at least every event a window operator drops as late', () => {
    const times = [0, 1200, 900, 3000, 1999, 2001, 2600, 7000, 2999, 6400, 6600];
    const clock = new StreamClock(500);
    for (const sizeMs of [1, 1000, 2000]) {
      const operator = new WindowOperator({ window: { kind: 'tumble', sizeMs }, graceMs: 500, groupBy: [], measures: [] });
      for (const e of at(...times)) operator.add(e);
      expect(operator.lateEvents).toBeLessThanOrEqual(4);
      if (sizeMs === 1) expect(operator.lateEvents).toBe(4); // a 1 ms window closes at the watermark
    }
    expect(clock.observe(at(...times))).toBe(4);
  });
});
