import { describe, expect, it } from 'vitest';
import { HoppingWindow } from './HoppingWindow.ts';

describe('HoppingWindow', () => {
  it.each<[string, number, number, number, number[]]>([
    ['size / advance windows per instant', 1000, 250, 1100, [250, 500, 750, 1000]],
    ['a boundary starts the last window and leaves the first', 1000, 250, 1000, [250, 500, 750, 1000]],
    ['the instant before', 1000, 250, 999, [0, 250, 500, 750]],
    ['aligned to the epoch before 1970', 1000, 250, -1, [-1000, -750, -500, -250]],
    ['advance equal to size is tumbling', 1000, 1000, 1500, [1000]],
    ['size not a multiple of advance: 3 windows', 1000, 300, 1000, [300, 600, 900]],
    ['size not a multiple of advance: 4 windows', 1000, 300, 950, [0, 300, 600, 900]],
  ])('%s', (_, size, advance, time, starts) => {
    expect(new HoppingWindow(size, advance).windowsFor(time)).toEqual(starts.map((start) => ({ start, end: start + size })));
  });

  it.each<[number, number, string]>([
    [1000, 0, 'HoppingWindow: advanceMs must be a positive integer number of milliseconds, but received: 0'],
    [1000, -250, 'HoppingWindow: advanceMs must be a positive integer number of milliseconds, but received: -250'],
    [0, 250, 'HoppingWindow: sizeMs must be a positive integer number of milliseconds, but received: 0'],
    [1000, 2000, 'HoppingWindow: advanceMs must be at most sizeMs, so that every event falls in a window, but received: sizeMs 1000, advanceMs 2000'],
  ])('rejects size %s, advance %s', (size, advance, message) => {
    expect(() => new HoppingWindow(size, advance)).toThrow(message);
  });
});
