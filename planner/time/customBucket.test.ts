import { describe, expect, it } from 'vitest';
import type { CustomGranularity } from '../../schema/index.ts';
import { customBucket } from './customBucket.ts';

const wall = (iso: string) => Date.parse(`${iso}Z`);
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const g = (unit: 'day' | 'month', count: number, origin: string): CustomGranularity => ({ name: 'g', unit, count, originWall: wall(origin) });

describe('customBucket', () => {
  const fiscalQuarter = g('month', 3, '2025-02-01T00:00:00');
  it.each<[string, string, string]>([
    ['2025-02-01T00:00:00', '2025-02-01', '2025-05-01'],
    ['2025-04-30T23:59:59.999', '2025-02-01', '2025-05-01'],
    ['2025-05-01T00:00:00', '2025-05-01', '2025-08-01'],
    ['2026-01-31T12:00:00', '2025-11-01', '2026-02-01'],
    // Before the origin: buckets continue backwards (floor, not truncation toward zero).
    ['2025-01-31T23:59:59.999', '2024-11-01', '2025-02-01'],
    ['2024-11-01T00:00:00', '2024-11-01', '2025-02-01'],
    ['2024-10-31T00:00:00', '2024-08-01', '2024-11-01'],
    ['1969-12-15T00:00:00', '1969-11-01', '1970-02-01'],
  ])('3 months from 2025-02-01: %s is in [%s, %s)', (input, start, end) => {
    const b = customBucket(wall(input), fiscalQuarter);
    expect([day(b.start), day(b.end)]).toEqual([start, end]);
  });

  it('years are 12-month buckets from the origin month', () => {
    const fiscalYear = g('month', 12, '2024-07-01T00:00:00');
    expect(day(customBucket(wall('2025-06-30T10:00:00'), fiscalYear).start)).toBe('2024-07-01');
    expect(day(customBucket(wall('2025-07-01T00:00:00'), fiscalYear).start)).toBe('2025-07-01');
    expect(day(customBucket(wall('2024-06-30T00:00:00'), fiscalYear).start)).toBe('2023-07-01');
  });

  it('weeks are 7-day buckets from the origin day, whatever its weekday', () => {
    // 2025-01-01 is a Wednesday: weeks run Wednesday to Tuesday.
    const week = g('day', 7, '2025-01-01T00:00:00');
    expect(day(customBucket(wall('2025-01-07T23:00:00'), week).start)).toBe('2025-01-01');
    expect(day(customBucket(wall('2025-01-08T00:00:00'), week).start)).toBe('2025-01-08');
    expect(day(customBucket(wall('2024-12-31T23:59:59'), week).start)).toBe('2024-12-25');
    const b = customBucket(wall('2025-01-08T00:00:00'), week);
    expect(b.end - b.start).toBe(7 * 86_400_000);
  });

  it('day buckets keep the origin time of day', () => {
    const shift = g('day', 2, '2025-03-01T06:00:00');
    const b = customBucket(wall('2025-03-03T05:59:59'), shift);
    expect(new Date(b.start).toISOString()).toBe('2025-03-01T06:00:00.000Z');
    expect(new Date(b.end).toISOString()).toBe('2025-03-03T06:00:00.000Z');
    expect(new Date(customBucket(wall('2025-02-27T06:00:00'), shift).start).toISOString()).toBe('2025-02-27T06:00:00.000Z');
    expect(new Date(customBucket(wall('2025-02-27T05:00:00'), shift).start).toISOString()).toBe('2025-02-25T06:00:00.000Z');
  });
});
