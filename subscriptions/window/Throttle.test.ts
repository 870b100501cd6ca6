import { describe, expect, it } from 'vitest';
import { createThrottle } from './Throttle.ts';

describe('createThrottle', () => {
  it.each<[string, number, number[], boolean[]]>([
    ['the first emission passes', 250, [1000], [true]],
    ['at most once per interval', 250, [1000, 1100, 1249, 1250, 1300, 1600], [true, false, false, true, false, true]],
    ['a refused call does not move the window', 250, [0, 200, 240, 250], [true, false, false, true]],
    ['interval 0 lets everything through', 0, [5, 5, 6], [true, true, true]],
    ['a clock going back is refused', 250, [1000, 900], [true, false]],
    ['NaN is refused', 250, [NaN, 10], [false, true]],
  ])('%s', (_, interval, calls, expected) => {
    const throttle = createThrottle(interval);
    expect(calls.map((now) => throttle.shouldEmit(now))).toEqual(expected);
  });

  it('tells when the next emission is allowed', () => {
    const throttle = createThrottle(250);
    expect(throttle.nextAllowedAt).toBe(-Infinity);
    throttle.shouldEmit(1000);
    expect(throttle.nextAllowedAt).toBe(1250);
    throttle.shouldEmit(1100);
    expect(throttle.nextAllowedAt).toBe(1250);
  });

  it.each([-1, NaN, Infinity])('rejects interval %s', (interval) => {
    expect(() => createThrottle(interval)).toThrow(
      `createThrottle: intervalMs must be a finite number of milliseconds >= 0, but received: ${interval}`,
    );
  });
});
