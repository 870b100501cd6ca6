import { describe, expect, it } from 'vitest';
import type { Granularity } from '../../schema/index.ts';
import { truncateWall } from './truncateWall.ts';

const wall = (iso: string) => Date.parse(`${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 23);

describe('truncateWall', () => {
  it.each<[string, Granularity, string]>([
    ['2024-05-17T13:45:27.250', 'second', '2024-05-17T13:45:27.000'],
    ['2024-05-17T13:45:27.250', 'minute', '2024-05-17T13:45:00.000'],
    ['2024-05-17T13:45:27.250', 'hour', '2024-05-17T13:00:00.000'],
    ['2024-05-17T13:45:27.250', 'day', '2024-05-17T00:00:00.000'],
    // 2024-05-17 is a Friday; its ISO week starts Monday 2024-05-13.
    ['2024-05-17T13:45:27.250', 'week', '2024-05-13T00:00:00.000'],
    ['2024-05-13T00:00:00.000', 'week', '2024-05-13T00:00:00.000'],
    ['2024-05-19T23:59:59.999', 'week', '2024-05-13T00:00:00.000'],
    // A week crossing a year boundary keeps its Monday in the earlier year.
    ['2025-01-01T08:00:00.000', 'week', '2024-12-30T00:00:00.000'],
    ['1970-01-01T00:00:00.000', 'week', '1969-12-29T00:00:00.000'],
    ['1969-12-31T23:59:59.999', 'day', '1969-12-31T00:00:00.000'],
    ['2024-05-17T13:45:27.250', 'month', '2024-05-01T00:00:00.000'],
    ['2024-05-17T13:45:27.250', 'quarter', '2024-04-01T00:00:00.000'],
    ['2024-12-31T23:59:59.999', 'quarter', '2024-10-01T00:00:00.000'],
    ['2024-02-29T12:00:00.000', 'year', '2024-01-01T00:00:00.000'],
    ['0050-07-04T12:00:00.000', 'year', '0050-01-01T00:00:00.000'],
    ['0050-08-04T12:00:00.000', 'month', '0050-08-01T00:00:00.000'],
  ])('%s to %s', (input, granularity, expected) => {
    expect(iso(truncateWall(wall(input), granularity))).toBe(expected);
  });

  it('composes: truncating a finer bucket equals truncating the time', () => {
    const chain: Granularity[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
    const mismatches: string[] = [];
    for (let t = wall('2023-12-25T00:00:00'); t < wall('2024-03-05T00:00:00'); t += 3_599_999) {
      for (const fine of chain) {
        for (const coarse of chain) {
          if (fine === 'week' && coarse !== 'week') continue; // weeks do not nest in months
          if (chain.indexOf(coarse) < chain.indexOf(fine)) continue;
          if (truncateWall(truncateWall(t, fine), coarse) !== truncateWall(t, coarse)) mismatches.push(`${iso(t)} ${fine}→${coarse}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
