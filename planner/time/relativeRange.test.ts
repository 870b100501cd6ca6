import { describe, expect, it } from 'vitest';
import { relativeRange } from './relativeRange.ts';
import { formatInstant, parseTimeInput, wallToInstant } from './zonedTime.ts';

const NY = 'America/New_York';
const HOUR = 3_600_000;

/** The range `text` denotes at `now` (ISO with offset) in `zone`, as the API prints bounds. */
function range(text: string, now: string, zone = NY): [string, string] | null {
  const r = relativeRange(text, parseTimeInput(now, zone)!, zone);
  return r && [formatInstant(wallToInstant(r.fromWall, zone), zone), formatInstant(wallToInstant(r.toWall, zone), zone)];
}

/** Length of the range in hours (instants, not wall time). */
function hours(text: string, now: string, zone = NY): number {
  const r = relativeRange(text, parseTimeInput(now, zone)!, zone)!;
  return (wallToInstant(r.toWall, zone) - wallToInstant(r.fromWall, zone)) / HOUR;
}

describe('relativeRange: every form, at Wednesday 2025-05-14 10:30 in New York', () => {
  const now = '2025-05-14T10:30:00-04:00';
  it.each<[string, string, string]>([
    ['today', '2025-05-14T00:00:00-04:00', '2025-05-15T00:00:00-04:00'],
    ['yesterday', '2025-05-13T00:00:00-04:00', '2025-05-14T00:00:00-04:00'],
    ['this week', '2025-05-12T00:00:00-04:00', '2025-05-19T00:00:00-04:00'],
    ['last week', '2025-05-05T00:00:00-04:00', '2025-05-12T00:00:00-04:00'],
    ['this month', '2025-05-01T00:00:00-04:00', '2025-06-01T00:00:00-04:00'],
    ['last month', '2025-04-01T00:00:00-04:00', '2025-05-01T00:00:00-04:00'],
    ['this quarter', '2025-04-01T00:00:00-04:00', '2025-07-01T00:00:00-04:00'],
    ['last quarter', '2025-01-01T00:00:00-05:00', '2025-04-01T00:00:00-04:00'],
    ['this year', '2025-01-01T00:00:00-05:00', '2026-01-01T00:00:00-05:00'],
    ['last year', '2024-01-01T00:00:00-05:00', '2025-01-01T00:00:00-05:00'],
    ['last 7 days', '2025-05-08T00:00:00-04:00', '2025-05-15T00:00:00-04:00'],
    ['last 1 day', '2025-05-14T00:00:00-04:00', '2025-05-15T00:00:00-04:00'],
    ['last 2 weeks', '2025-05-05T00:00:00-04:00', '2025-05-19T00:00:00-04:00'],
    ['last 1 week', '2025-05-12T00:00:00-04:00', '2025-05-19T00:00:00-04:00'],
    ['last 3 months', '2025-03-01T00:00:00-05:00', '2025-06-01T00:00:00-04:00'],
    ['last 1 month', '2025-05-01T00:00:00-04:00', '2025-06-01T00:00:00-04:00'],
    ['last 12 months', '2024-06-01T00:00:00-04:00', '2025-06-01T00:00:00-04:00'],
    ['year to date', '2025-01-01T00:00:00-05:00', '2025-05-15T00:00:00-04:00'],
    ['month to date', '2025-05-01T00:00:00-04:00', '2025-05-15T00:00:00-04:00'],
  ])('%s is [%s, %s)', (text, from, to) => {
    expect(range(text, now)).toEqual([from, to]);
  });

  it('reads any case and any spacing', () => {
    expect(range('  LAST   7\tDays ', now)).toEqual(range('last 7 days', now));
    expect(range('This Week', now)).toEqual(range('this week', now));
    expect(range('Year  To Date', now)).toEqual(range('year to date', now));
    expect(range('last 7 day', now)).toEqual(range('last 7 days', now));
    expect(range('last 3 month', now)).toEqual(range('last 3 months', now));
    expect(range('last 007 days', now)).toEqual(range('last 7 days', now));
  });

  it.each(['', 'tomorrow', 'next week', 'last 0 days', 'last -1 days', 'last 1.5 days', 'last 7 hours', 'last 2 quarters', 'last 2 years', 'this day', 'todayy', 'last days', '7 days', 'last 7 days ago', 'last 99999999999999999999 days'])(
    '%j is not a relative range',
    (text) => {
      expect(relativeRange(text, Date.UTC(2025, 4, 14), NY)).toBeNull();
    },
  );
});

describe('relativeRange: days are calendar days in the zone, whatever their length', () => {
  it('today on the 23-hour day clocks spring forward (2025-03-09 in New York)', () => {
    expect(range('today', '2025-03-09T12:00:00-04:00')).toEqual(['2025-03-09T00:00:00-05:00', '2025-03-10T00:00:00-04:00']);
    expect(hours('today', '2025-03-09T12:00:00-04:00')).toBe(23);
    // Just after midnight, before the jump, it is the same day.
    expect(range('today', '2025-03-09T00:30:00-05:00')).toEqual(['2025-03-09T00:00:00-05:00', '2025-03-10T00:00:00-04:00']);
  });

  it('today on the 25-hour day clocks fall back (2025-11-02 in New York)', () => {
    expect(range('today', '2025-11-02T01:30:00-05:00')).toEqual(['2025-11-02T00:00:00-04:00', '2025-11-03T00:00:00-05:00']);
    expect(hours('today', '2025-11-02T23:59:00-05:00')).toBe(25);
    expect(range('yesterday', '2025-11-03T08:00:00-05:00')).toEqual(['2025-11-02T00:00:00-04:00', '2025-11-03T00:00:00-05:00']);
  });

  it('last 7 days across the spring change: 7 calendar days, one hour short of 168', () => {
    expect(range('last 7 days', '2025-03-12T09:00:00-04:00')).toEqual(['2025-03-06T00:00:00-05:00', '2025-03-13T00:00:00-04:00']);
    expect(hours('last 7 days', '2025-03-12T09:00:00-04:00')).toBe(167);
  });

  it('today is the day in the dataset\'s zone, not in UTC', () => {
    // 03:00 UTC on New Year's Day is still 22:00 on New Year's Eve in New York.
    const now = '2025-01-01T03:00:00Z';
    expect(range('today', now)).toEqual(['2024-12-31T00:00:00-05:00', '2025-01-01T00:00:00-05:00']);
    expect(range('this year', now)).toEqual(['2024-01-01T00:00:00-05:00', '2025-01-01T00:00:00-05:00']);
    expect(range('today', now, 'UTC')).toEqual(['2025-01-01T00:00:00+00:00', '2025-01-02T00:00:00+00:00']);
    expect(range('today', now, 'Asia/Kolkata')).toEqual(['2025-01-01T00:00:00+05:30', '2025-01-02T00:00:00+05:30']);
  });
});

describe('relativeRange: weeks start on Monday', () => {
  it('a Sunday night is still the week that began on Monday', () => {
    expect(range('this week', '2025-05-18T23:59:59-04:00')).toEqual(['2025-05-12T00:00:00-04:00', '2025-05-19T00:00:00-04:00']);
  });
  it('Monday midnight starts a new week', () => {
    expect(range('this week', '2025-05-19T00:00:00-04:00')).toEqual(['2025-05-19T00:00:00-04:00', '2025-05-26T00:00:00-04:00']);
    expect(range('last week', '2025-05-19T00:00:00-04:00')).toEqual(['2025-05-12T00:00:00-04:00', '2025-05-19T00:00:00-04:00']);
  });
  it('a week across New Year starts in the old year', () => {
    expect(range('this week', '2025-01-01T12:00:00-05:00')).toEqual(['2024-12-30T00:00:00-05:00', '2025-01-06T00:00:00-05:00']);
  });
});

describe('relativeRange: quarter and year boundaries', () => {
  it('the first instant of a year', () => {
    const now = '2025-01-01T00:00:00-05:00';
    expect(range('this quarter', now)).toEqual(['2025-01-01T00:00:00-05:00', '2025-04-01T00:00:00-04:00']);
    expect(range('last quarter', now)).toEqual(['2024-10-01T00:00:00-04:00', '2025-01-01T00:00:00-05:00']);
    expect(range('last year', now)).toEqual(['2024-01-01T00:00:00-05:00', '2025-01-01T00:00:00-05:00']);
    expect(range('last month', now)).toEqual(['2024-12-01T00:00:00-05:00', '2025-01-01T00:00:00-05:00']);
    expect(range('year to date', now)).toEqual(['2025-01-01T00:00:00-05:00', '2025-01-02T00:00:00-05:00']);
  });
  it('the last instant of a year', () => {
    const now = '2024-12-31T23:59:59.999-05:00';
    expect(range('this year', now)).toEqual(['2024-01-01T00:00:00-05:00', '2025-01-01T00:00:00-05:00']);
    expect(range('this quarter', now)).toEqual(['2024-10-01T00:00:00-04:00', '2025-01-01T00:00:00-05:00']);
    expect(range('last quarter', now)).toEqual(['2024-07-01T00:00:00-04:00', '2024-10-01T00:00:00-04:00']);
    expect(range('last 3 months', now)).toEqual(['2024-10-01T00:00:00-04:00', '2025-01-01T00:00:00-05:00']);
  });
  it('month steps through February and across years', () => {
    expect(range('last month', '2024-03-31T12:00:00-04:00')).toEqual(['2024-02-01T00:00:00-05:00', '2024-03-01T00:00:00-05:00']);
    expect(range('last 1 month', '2024-02-29T12:00:00-05:00')).toEqual(['2024-02-01T00:00:00-05:00', '2024-03-01T00:00:00-05:00']);
    expect(range('last 14 months', '2025-02-10T12:00:00-05:00')).toEqual(['2024-01-01T00:00:00-05:00', '2025-03-01T00:00:00-05:00']);
  });
});
