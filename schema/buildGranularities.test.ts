import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { parseConfig } from './loadConfig.ts';

const config = (granularities: string, dimensions = 'orderDate: { type: time, column: order_ts }') => `
sources:
  warehouse: { kind: postgres, url: "postgres://nobody@127.0.0.1:1/none" }
datasets:
  sales:
    source: warehouse
    table: public.sales
    timezone: Europe/Berlin
    dimensions:
      region: { type: string }
      ${dimensions}
    measures:
      revenue: { sum: amount }
${granularities ? `    granularities:\n${granularities}` : ''}
`;

/** The ConfigError lines of an invalid config. */
function problems(text: string): string[] {
  try {
    parseConfig(text, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as ConfigErrors).errors.map((e) => e.message);
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

const wall = (iso: string) => Date.parse(`${iso}Z`);

describe('datasets.<d>.granularities', () => {
  it('builds each interval form with its origin as a wall time in the dataset zone', () => {
    const parsed = parseConfig(
      config(`      fiscalQuarter: { interval: 3 months, origin: "2025-02-01" }
      fortnight2: { interval: 2 weeks, origin: "2025-01-06" }
      shift: { interval: "1 day", origin: "2025-01-06T00:00:00" }
      fiscalYear: { interval: 1 year, origin: "2024-07-01" }
      half: { interval: 2 Quarters, origin: "2024-01-01" }
      tenDays: { interval: 10days, origin: "2024-01-01" }`),
      { env: {} },
    );
    expect(parsed.datasets.sales!.granularities).toEqual({
      fiscalQuarter: { name: 'fiscalQuarter', unit: 'month', count: 3, originWall: wall('2025-02-01T00:00:00') },
      fortnight2: { name: 'fortnight2', unit: 'day', count: 14, originWall: wall('2025-01-06T00:00:00') },
      shift: { name: 'shift', unit: 'day', count: 1, originWall: wall('2025-01-06T00:00:00') },
      fiscalYear: { name: 'fiscalYear', unit: 'month', count: 12, originWall: wall('2024-07-01T00:00:00') },
      half: { name: 'half', unit: 'month', count: 6, originWall: wall('2024-01-01T00:00:00') },
      tenDays: { name: 'tenDays', unit: 'day', count: 10, originWall: wall('2024-01-01T00:00:00') },
    });
  });

  it('is {} without the key', () => {
    const parsed = parseConfig(config(''), { env: {} });
    expect(parsed.datasets.sales!.granularities).toEqual({});
  });

  it.each<[string, string, string]>([
    [
      'a month-based origin that is not a month start',
      `      fiscalQuarter: { interval: 3 months, origin: "2025-02-15" }`,
      'datasets.sales.granularities.fiscalQuarter.origin: a 3 months interval counts calendar months, so its origin must be the first of a month at 00:00, such as "2025-02-01"; got "2025-02-15"',
    ],
    [
      'a month-based origin with a time of day',
      `      fiscalQuarter: { interval: 1 quarter, origin: "2025-02-01T06:00" }`,
      'datasets.sales.granularities.fiscalQuarter.origin: a 1 quarter interval counts calendar months, so its origin must be the first of a month at 00:00, such as "2025-02-01"; got "2025-02-01T06:00"',
    ],
    [
      'a day-based origin that is not a day start',
      `      shift: { interval: 2 days, origin: "2025-02-03T06:00:00" }`,
      'datasets.sales.granularities.shift.origin: a 2 days interval counts whole days, so its origin must be a day start (00:00), such as "2025-02-03"; got "2025-02-03T06:00:00"',
    ],
    [
      'an origin with an offset',
      `      shift: { interval: 2 days, origin: "2025-02-03T00:00:00Z" }`,
      `datasets.sales.granularities.shift.origin: expected a date such as "2025-02-01" or a date-time such as "2025-02-01T06:00:00", in the dataset's time zone without an offset; got "2025-02-03T00:00:00Z"`,
    ],
    [
      'an impossible date',
      `      shift: { interval: 2 days, origin: "2025-02-30" }`,
      `datasets.sales.granularities.shift.origin: expected a date such as "2025-02-01" or a date-time such as "2025-02-01T06:00:00", in the dataset's time zone without an offset; got "2025-02-30"`,
    ],
    [
      'an unknown unit',
      `      fortnight: { interval: 1 fortnight, origin: "2025-01-06" }`,
      'datasets.sales.granularities.fortnight.interval: expected N days, weeks, months, quarters or years with N a whole number of 1 or more, such as "3 months"; got "1 fortnight"',
    ],
    [
      'a zero interval',
      `      none: { interval: 0 days, origin: "2025-01-06" }`,
      'datasets.sales.granularities.none.interval: expected N days, weeks, months, quarters or years with N a whole number of 1 or more, such as "3 months"; got "0 days"',
    ],
    [
      'a built-in name in another case',
      `      Month: { interval: 1 month, origin: "2025-01-01" }`,
      'datasets.sales.granularities.Month: "Month" is the built-in granularity MONTH; choose another name, such as fiscalMonth',
    ],
    [
      'the calc name',
      `      calc: { interval: 1 month, origin: "2025-01-01" }`,
      'datasets.sales.granularities.calc: "calc" is reserved; choose another name',
    ],
    [
      'two names differing only in case',
      `      fiscalQuarter: { interval: 3 months, origin: "2025-02-01" }\n      FiscalQuarter: { interval: 3 months, origin: "2025-03-01" }`,
      'datasets.sales.granularities.FiscalQuarter: "FiscalQuarter" differs from "fiscalQuarter" only in case; results name buckets in lower case, so rename one',
    ],
    [
      'a missing origin',
      `      fiscalQuarter: { interval: 3 months }`,
      'datasets.sales.granularities.fiscalQuarter.origin: missing; expected string',
    ],
    [
      'an unknown key',
      `      fiscalQuarter: { interval: 3 months, origin: "2025-02-01", start: x }`,
      'datasets.sales.granularities.fiscalQuarter: unknown key "start"; remove it or fix its spelling (docs/DESIGN.md lists the keys)',
    ],
  ])('refuses %s', (_, granularities, expected) => {
    expect(problems(config(granularities))).toEqual([expected]);
  });

  it('refuses granularities on a dataset without a time dimension', () => {
    expect(problems(config(`      fiscalQuarter: { interval: 3 months, origin: "2025-02-01" }`, 'channel: { type: string }'))).toEqual([
      'datasets.sales.granularities: this dataset has no time dimension to bucket; add one or remove granularities',
    ]);
  });

  it('refuses previous as a dimension or measure name: rows have a previous field', () => {
    expect(problems(config('', 'previous: { type: string }'))).toEqual(['datasets.sales.dimensions.previous: "previous" is reserved; choose another name']);
  });

  it('refuses previous as a relation name', () => {
    const text = config('').replace('    measures:\n', '    relations:\n      previous: { dataset: sales, on: { region: region } }\n    measures:\n');
    expect(problems(text)).toEqual(['datasets.sales.relations.previous: "previous" is reserved (the compared period of every row, with compare); choose another name']);
  });

  it('refuses total(), parent() and previous.x in config measure expressions', () => {
    const withMeasure = (expr: string) => config('').replace('revenue: { sum: amount }', `revenue: { sum: "${expr}" }`);
    expect(problems(withMeasure('amount / total(amount)'))).toEqual([
      'datasets.sales.measures.revenue: total() at column 10 is available only in calc(expr:) on dataset rows',
    ]);
    expect(problems(withMeasure('previous.amount'))).toEqual([
      'datasets.sales.measures.revenue: unexpected dotted name "previous.amount" at column 1; previous.<measure> is available only in calc(expr:) on dataset rows',
    ]);
  });
});
