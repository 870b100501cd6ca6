import { describe, expect, it } from 'vitest';
import { TumblingWindow } from './TumblingWindow.ts';

describe('TumblingWindow', () => {
  it.each<[string, number, number, number]>([
    ['the epoch starts a window', 1000, 0, 0],
    ['the last instant of a window', 1000, 999, 0],
    ['an end is the next start', 1000, 1000, 1000],
    ['fractional times', 1000, 1999.5, 1000],
    ['before 1970', 1000, -1, -1000],
    ['before 1970, on a boundary', 1000, -2000, -2000],
    ['minutes of a 2024 instant', 60_000, Date.UTC(2024, 4, 1, 12, 34, 56, 789), Date.UTC(2024, 4, 1, 12, 34)],
    ['days are UTC days', 86_400_000, Date.UTC(2024, 4, 1, 23, 59), Date.UTC(2024, 4, 1)],
    ['the largest safe times', 7, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - (Number.MAX_SAFE_INTEGER % 7)],
  ])('%s', (_, size, time, start) => {
    expect(new TumblingWindow(size).windowsFor(time)).toEqual([{ start, end: start + size }]);
  });

  it.each<[unknown, string]>([
    [0, '0'],
    [-5, '-5'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    ['1m', '1m'],
  ])('rejects size %s', (size, shown) => {
    expect(() => new TumblingWindow(size as number)).toThrow(
      `TumblingWindow: sizeMs must be a positive integer number of milliseconds, but received: ${shown}`,
    );
  });
});
