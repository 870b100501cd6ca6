import { describe, expect, it } from 'vitest';
import { formatInstant, formatWall, parseTimeInput, wallToInstant } from './zonedTime.ts';

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('formatWall', () => {
  it.each([
    ['2024-03-01T00:00:00', 'UTC', '2024-03-01T00:00:00+00:00'],
    ['2024-03-01T00:00:00', 'America/New_York', '2024-03-01T00:00:00-05:00'],
    ['2024-07-01T00:00:00', 'America/New_York', '2024-07-01T00:00:00-04:00'],
    // Clocks turned back: 01:00 happens twice; Postgres reads it as standard time.
    ['2024-11-03T01:00:00', 'America/New_York', '2024-11-03T01:00:00-05:00'],
    // Clocks turned forward: 02:30 never happens; Postgres uses the earlier offset.
    ['2024-03-10T02:30:00', 'America/New_York', '2024-03-10T02:30:00-05:00'],
    ['2024-01-01T00:00:00', 'Asia/Kolkata', '2024-01-01T00:00:00+05:30'],
    ['2024-04-01T00:00:00', 'Australia/Lord_Howe', '2024-04-01T00:00:00+11:00'],
  ])('%s in %s', (local, zone, expected) => {
    expect(formatWall(wall(local), zone)).toBe(expected);
  });
});

describe('formatInstant', () => {
  it.each([
    ['2025-01-01T00:00:00Z', 'UTC', '2025-01-01T00:00:00+00:00'],
    ['2025-01-01T00:00:00.250Z', 'UTC', '2025-01-01T00:00:00.250+00:00'],
    ['2025-01-01T00:00:00Z', 'Europe/Berlin', '2025-01-01T01:00:00+01:00'],
    // Both instants of the hour New York's clocks turn back keep their own offset.
    ['2024-11-03T05:30:00Z', 'America/New_York', '2024-11-03T01:30:00-04:00'],
    ['2024-11-03T06:30:00Z', 'America/New_York', '2024-11-03T01:30:00-05:00'],
    ['2024-01-01T00:00:00Z', 'Asia/Kolkata', '2024-01-01T05:30:00+05:30'],
  ])('%s in %s', (instant, zone, expected) => {
    expect(formatInstant(Date.parse(instant), zone)).toBe(expected);
    expect(Date.parse(expected)).toBe(Date.parse(instant));
  });
});

describe('formatWall remembers what it formatted', () => {
  it('gives the same text from memory, before and after the memory of a zone starts afresh (25,000 hours)', () => {
    const hours = Array.from({ length: 25_000 }, (_, i) => wall('2023-06-01T00:30:00') + i * 3_600_000);
    const first = hours.map((h) => formatWall(h, 'America/New_York'));
    expect(hours.map((h) => formatWall(h, 'America/New_York'))).toEqual(first);
    // The DST cases above, asked again after 25,000 other values went through the memory.
    expect(formatWall(wall('2024-11-03T01:00:00'), 'America/New_York')).toBe('2024-11-03T01:00:00-05:00');
    expect(formatWall(wall('2024-03-10T02:30:00'), 'America/New_York')).toBe('2024-03-10T02:30:00-05:00');
    // Each hour's offset is that of New York at it: -04:00 in summer, -05:00 in winter.
    expect(first[0]).toBe('2023-06-01T00:30:00-04:00');
    expect(first[24 * 200]).toBe('2023-12-18T00:30:00-05:00');
  });
});

describe('wallToInstant', () => {
  it('matches Postgres for a midnight that does not exist (Santiago spring forward)', () => {
    expect(new Date(wallToInstant(wall('2024-09-08T00:00:00'), 'America/Santiago')).toISOString()).toBe('2024-09-08T04:00:00.000Z');
  });
  it('matches Postgres for an hour that happens twice (Santiago fall back)', () => {
    expect(new Date(wallToInstant(wall('2024-04-06T23:30:00'), 'America/Santiago')).toISOString()).toBe('2024-04-07T03:30:00.000Z');
  });
});

describe('parseTimeInput', () => {
  it.each([
    ['2024-05-01', 'UTC', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01', 'Europe/Berlin', '2024-04-30T22:00:00.000Z'],
    ['2024-05-01T12:30', 'UTC', '2024-05-01T12:30:00.000Z'],
    ['2024-05-01T12:30:15.250Z', 'Europe/Berlin', '2024-05-01T12:30:15.250Z'],
    ['2024-05-01 12:30:00+02:00', 'UTC', '2024-05-01T10:30:00.000Z'],
    ['2024-05-01T12:30:00-0330', 'UTC', '2024-05-01T16:00:00.000Z'],
  ])('%s in %s', (text, zone, expected) => {
    expect(new Date(parseTimeInput(text, zone)!).toISOString()).toBe(expected);
  });
  it.each(['yesterday', '2024-13-01', '2024-02-30', '2024-05-01T25:00', '24-05-01', '2024-05-01T12:30:00+2', ''])('rejects %j', (text) => {
    expect(parseTimeInput(text, 'UTC')).toBeNull();
  });
  // Years 1-9999 UTC: Postgres has no year 0, and years past 9999 need an expanded ISO form.
  it.each([
    ['0000-01-01', 'UTC'],
    ['0000-12-31T23:59:59Z', 'UTC'],
    ['0001-01-01T00:00:00+01:00', 'UTC'],
    ['0001-01-01', 'Asia/Tokyo'],
    ['9999-12-31T23:00:00-05:00', 'UTC'],
    ['9999-12-31T23:00:00', 'America/New_York'],
  ])('rejects %j in %s: outside years 1-9999 UTC', (text, zone) => {
    expect(parseTimeInput(text, zone)).toBeNull();
  });
  it.each([
    ['0001-01-01', 'UTC', '0001-01-01T00:00:00.000Z'],
    ['0001-01-01', 'America/New_York', '0001-01-01T04:56:02.000Z'],
    ['9999-12-31T23:59:59.999Z', 'UTC', '9999-12-31T23:59:59.999Z'],
  ])('accepts the edge %j in %s', (text, zone, expected) => {
    expect(new Date(parseTimeInput(text, zone)!).toISOString()).toBe(expected);
  });
});
