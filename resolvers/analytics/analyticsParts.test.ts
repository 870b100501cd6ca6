import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../schema/index.ts';
import { addSpan, alignmentOf, bucketOf } from './calendar.ts';
import { compareShift } from './compareShift.ts';
import { havingHolds } from './evaluateHaving.ts';
import { Leaves } from './Leaves.ts';
import { parseRolling } from './parseRolling.ts';
import { splitTimeRange, whereWithRanges } from './timeRange.ts';

const wall = (iso: string) => Date.parse(`${iso}Z`);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);

describe('calendar arithmetic on wall times', () => {
  it('moves by months keeping the day of month, clamped to the month end', () => {
    expect(iso(addSpan(wall('2024-03-31T10:00:00'), { unit: 'month', count: 1 }, -1))).toBe('2024-02-29T10:00:00');
    expect(iso(addSpan(wall('2024-02-29T00:00:00'), { unit: 'month', count: 12 }, -1))).toBe('2023-02-28T00:00:00');
    expect(iso(addSpan(wall('2024-01-15T00:00:00'), { unit: 'month', count: 3 }, -1))).toBe('2023-10-15T00:00:00');
    expect(iso(addSpan(wall('2024-03-10T00:00:00'), { unit: 'day', count: 7 }, -1))).toBe('2024-03-03T00:00:00');
  });

  it('buckets built-in and custom granularities; tells the coarsest alignment of a bound', () => {
    const config = parseConfig(`
sources: { w: { kind: postgres, url: "postgres://u@h/db" } }
datasets:
  s:
    source: w
    table: t
    granularities: { fiscalQuarter: { interval: 3 months, origin: "2025-02-01" }, fortnight: { interval: 2 weeks, origin: "2025-01-06" } }
    dimensions: { d: { type: time } }
`);
    const g = config.datasets.s!.granularities;
    const fq = { kind: 'custom' as const, spec: g.fiscalQuarter!, name: 'fiscalQuarter' };
    expect([bucketOf(wall('2025-01-31T23:00:00'), fq)].map((b) => [iso(b.start), iso(b.end)])).toEqual([['2024-11-01T00:00:00', '2025-02-01T00:00:00']]);
    const fn = { kind: 'custom' as const, spec: g.fortnight!, name: 'fortnight' };
    expect(iso(bucketOf(wall('2025-01-19T12:00:00'), fn).start)).toBe('2025-01-06T00:00:00');
    expect(iso(bucketOf(wall('2025-01-20T00:00:00'), fn).start)).toBe('2025-01-20T00:00:00');
    const week = bucketOf(wall('2024-03-10T12:00:00'), { kind: 'builtin', granularity: 'week', name: 'week' });
    expect([iso(week.start), iso(week.end)]).toEqual(['2024-03-04T00:00:00', '2024-03-11T00:00:00']);
    expect([alignmentOf(wall('2024-03-01T00:00:00')), alignmentOf(wall('2024-03-02T00:00:00')), alignmentOf(wall('2024-03-02T05:00:00')), alignmentOf(wall('2024-03-02T05:00:01'))]).toEqual([
      'month',
      'day',
      'hour',
      'second',
    ]);
  });

  it('compare shifts by a year, by whole months, by whole days, or by the duration', () => {
    expect(compareShift({ from: wall('2024-01-01T00:00:00'), to: wall('2024-04-01T00:00:00') }, 'previousYear')).toEqual({ unit: 'month', count: 12 });
    expect(compareShift({ from: wall('2024-01-01T00:00:00'), to: wall('2024-04-01T00:00:00') }, 'previousPeriod')).toEqual({ unit: 'month', count: 3 });
    expect(compareShift({ from: wall('2024-03-04T00:00:00'), to: wall('2024-03-11T00:00:00') }, 'previousPeriod')).toEqual({ unit: 'day', count: 7 });
    expect(compareShift({ from: wall('2024-03-04T06:00:00'), to: wall('2024-03-04T18:00:00') }, 'previousPeriod')).toEqual({ unit: 'ms', count: 12 * 3_600_000 });
  });

  it('parses rolling windows and refuses others, naming the field', () => {
    expect(parseRolling('7d', 'revenue')).toEqual({ unit: 'day', count: 7 });
    expect(parseRolling('2 weeks', 'revenue')).toEqual({ unit: 'day', count: 14 });
    expect(parseRolling('3 MONTH', 'revenue')).toEqual({ unit: 'month', count: 3 });
    expect(parseRolling('1 year', 'revenue')).toEqual({ unit: 'month', count: 12 });
    expect(() => parseRolling('7 fortnights', 'revenue')).toThrow(/revenue\(rolling: "7 fortnights"\): expected a whole number/);
    expect(() => parseRolling('0d', 'revenue')).toThrow(/expected a whole number/);
  });
});

describe('time ranges in where', () => {
  const config = parseConfig(`
sources: { w: { kind: postgres, url: "postgres://u@h/db" } }
datasets:
  s: { source: w, table: t, timezone: America/New_York, dimensions: { d: { type: time }, r: { type: string } } }
`);
  const dataset = config.datasets.s!;
  it('takes the bounds out of the top level and its AND list; keeps the rest', () => {
    const where = { d: { gte: '2024-03-01', isNull: false }, r: { eq: 'x' }, AND: [{ d: { lt: '2024-04-01T00:00:00-04:00' } }], OR: [{ d: { gt: '2020-01-01' } }] };
    const { rest, range } = splitTimeRange(where, dataset);
    expect(range).toEqual({ field: 'd', from: wall('2024-03-01T00:00:00'), to: wall('2024-04-01T00:00:00') });
    expect(rest).toEqual({ d: { isNull: false }, r: { eq: 'x' }, AND: [{}], OR: [{ d: { gt: '2020-01-01' } }] });
  });
  it('puts ranges back as instants, ORed', () => {
    expect(whereWithRanges({ r: { eq: 'x' } }, 'd', [{ from: wall('2024-03-10T00:00:00'), to: wall('2024-03-11T00:00:00') }, { from: wall('2023-03-10T00:00:00'), to: null }], 'America/New_York')).toEqual({
      AND: [{ r: { eq: 'x' } }, { OR: [{ d: { gte: '2024-03-10T05:00:00.000Z', lt: '2024-03-11T04:00:00.000Z' } }, { d: { gte: '2023-03-10T05:00:00.000Z' } }] }],
    });
  });
});

describe('Leaves and having', () => {
  it('adds sums exactly to 15 digits, counts, mins, maxes and averages; an empty set is count 0 and null', () => {
    const measures = [
      { name: 's', aggregation: 'sum' as const, value: 's.sum', count: null },
      { name: 'c', aggregation: 'count' as const, value: 'c.count', count: null },
      { name: 'm', aggregation: 'min' as const, value: 'm.min', count: null },
      { name: 'a', aggregation: 'avg' as const, value: 'a.sum', count: 'a.count' },
    ];
    const empty = new Leaves(measures).values();
    expect(empty).toEqual({ s: null, c: 0, m: null, a: null });
    const l = new Leaves(measures);
    for (const v of [0.1, 0.2, 0.3, 1764.21]) l.add([[v, null], [1, null], [v, null], [v, 1]]);
    l.add([[null, null], [0, null], [null, null], [null, 0]]);
    expect(l.values()).toEqual({ s: 1764.81, c: 4, m: 0.1, a: 1764.81 / 4 });
  });
  it('having keeps a row only when the filter is true (null compares are unknown)', () => {
    const f = { kind: 'or' as const, args: [{ kind: 'compare' as const, field: 'x', op: 'gt' as const, value: 5 }, { kind: 'isNull' as const, field: 'y', isNull: true }] };
    expect(havingHolds(f, { x: 6, y: 1 })).toBe(true);
    expect(havingHolds(f, { x: null, y: 1 })).toBe(false);
    expect(havingHolds({ kind: 'not', arg: { kind: 'compare', field: 'x', op: 'gt', value: 5 } }, { x: null })).toBe(false);
  });
});
