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
    ['the most windows per event (MAX_WINDOWS_PER_EVENT)', 1000, 1, 999.5, Array.from({ length: 1000 }, (_, i) => i)],
  ])('%s', (_, size, advance, time, starts) => {
    expect(new HoppingWindow(size, advance).windowsFor(time)).toEqual(starts.map((start) => ({ start, end: start + size })));
  });

  it.each<[number, number, string]>([
    [1000, 0, 'HoppingWindow: advanceMs must be a positive integer number of milliseconds, but received: 0'],
    [1000, -250, 'HoppingWindow: advanceMs must be a positive integer number of milliseconds, but received: -250'],
    [0, 250, 'HoppingWindow: sizeMs must be a positive integer number of milliseconds, but received: 0'],
    [1000, 2000, 'HoppingWindow: advanceMs must be at most sizeMs, so that every event falls in a window, but received: sizeMs 1000, advanceMs 2000'],
    [86_400_000, 1, 'HoppingWindow: sizeMs / advanceMs (windows per event) must be at most 1000, but received: sizeMs 86400000, advanceMs 1 (86400000 windows)'],
    [1001, 1, 'HoppingWindow: sizeMs / advanceMs (windows per event) must be at most 1000, but received: sizeMs 1001, advanceMs 1 (1001 windows)'],
  ])('rejects size %s, advance %s', (size, advance, message) => {
    expect(() => new HoppingWindow(size, advance)).toThrow(message);
  });
});
