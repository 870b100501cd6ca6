import { describe, expect, it } from 'vitest';
import { sliceGrid } from './sliceGrid.ts';

const wall = (iso: string) => Date.parse(`${iso}Z`);
const text = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().slice(0, 10));

describe('sliceGrid', () => {
  it('cuts three years into 8 slices on month starts, the newest month alone, open at both ends', () => {
    const cells = sliceGrid(wall('2023-01-01T00:00:00'), wall('2025-12-31T23:59:59'), 8);
    expect(cells.map((c) => [text(c.from), text(c.to)])).toEqual([
      [null, '2023-06-01'],
      ['2023-06-01', '2023-11-01'],
      ['2023-11-01', '2024-04-01'],
      ['2024-04-01', '2024-09-01'],
      ['2024-09-01', '2025-02-01'],
      ['2025-02-01', '2025-07-01'],
      ['2025-07-01', '2025-12-01'],
      ['2025-12-01', null],
    ]);
  });

  it('takes finer units for a short extent, and gives fewer cells than asked when the extent has too few hours', () => {
    const days = sliceGrid(wall('2024-03-01T10:00:00'), wall('2024-03-20T10:00:00'), 4);
    expect(days).toHaveLength(4);
    for (const c of days.slice(1)) expect(c.from! % 86_400_000).toBe(0); // day starts
    const hours = sliceGrid(wall('2024-03-01T10:00:00'), wall('2024-03-01T12:30:00'), 8);
    expect(hours).toHaveLength(3);
  });

  it('is one open cell for one slice, an empty or a single-instant extent', () => {
    expect(sliceGrid(0, 1e12, 1)).toEqual([{ from: null, to: null }]);
    expect(sliceGrid(5, 5, 8)).toEqual([{ from: null, to: null }]);
  });

  it('gives the same inner boundaries for the same extent (a repeat meets the same cells)', () => {
    expect(sliceGrid(wall('2023-02-03T04:05:06'), wall('2024-08-09T10:11:12'), 12)).toEqual(sliceGrid(wall('2023-02-03T04:05:06'), wall('2024-08-09T10:11:12'), 12));
  });
});
