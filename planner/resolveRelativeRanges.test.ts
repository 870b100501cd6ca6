import { describe, expect, it } from 'vitest';
import { TributaryError } from '../errors/index.ts';
import { parseConfig } from '../schema/index.ts';
import { buildPlan } from './buildPlan.ts';
import { printFilter } from './printPlan.ts';
import { resolveRelativeRanges, withResolvedRanges } from './resolveRelativeRanges.ts';
import type { DatasetRequest } from './DatasetRequest.ts';

const config = parseConfig(`
sources:
  warehouse: { kind: postgres, url: "postgres://nobody@127.0.0.1:1/none" }
datasets:
  sales:
    source: warehouse
    table: public.sales
    timezone: America/New_York
    dimensions:
      region: { type: string }
      orderDate: { type: time, column: order_ts, granularity: day }
      shipDate: { type: time, column: ship_ts, granularity: day }
    measures:
      revenue: { sum: amount }
`);
const sales = config.datasets.sales!;
// Wednesday 2025-05-14 10:30 in New York (14:30 UTC).
const NOW = Date.parse('2025-05-14T14:30:00Z');

function refusal(fn: () => unknown): TributaryError {
  try {
    fn();
  } catch (error) {
    return error as TributaryError;
  }
  throw new Error('expected a refusal');
}

describe('resolveRelativeRanges', () => {
  it('turns inRange into gte/lt instants and reports the range in the zone', () => {
    const { where, ranges } = resolveRelativeRanges({ orderDate: { inRange: 'last 7 days' } }, sales, NOW);
    expect(where).toEqual({ orderDate: { gte: '2025-05-08T04:00:00.000Z', lt: '2025-05-15T04:00:00.000Z' } });
    expect(ranges).toEqual([{ field: 'orderDate', expression: 'last 7 days', from: '2025-05-08T00:00:00-04:00', to: '2025-05-15T00:00:00-04:00' }]);
  });

  it('keeps the field\'s other operators and the other fields', () => {
    const input = { region: { eq: 'west' }, orderDate: { inRange: 'today', isNull: false, lte: '2025-05-14T12:00:00' } };
    const { where } = resolveRelativeRanges(input, sales, NOW);
    expect(where).toEqual({
      region: { eq: 'west' },
      orderDate: { isNull: false, lte: '2025-05-14T12:00:00', gte: '2025-05-14T04:00:00.000Z', lt: '2025-05-15T04:00:00.000Z' },
    });
  });

  it('where the field has gte or lt already, the range is a conjunct of its own: both hold', () => {
    const input = { orderDate: { inRange: 'this month', gte: '2025-05-10' }, AND: [{ region: { eq: 'west' } }] };
    const { where } = resolveRelativeRanges(input, sales, NOW);
    expect(where).toEqual({
      orderDate: { gte: '2025-05-10' },
      AND: [{ region: { eq: 'west' } }, { orderDate: { gte: '2025-05-01T04:00:00.000Z', lt: '2025-06-01T04:00:00.000Z' } }],
    });
  });

  it('walks AND, OR and NOT, reporting every range in document order', () => {
    const input = {
      OR: [{ orderDate: { inRange: 'yesterday' } }, { AND: [{ shipDate: { inRange: 'this week' } }] }],
      NOT: { orderDate: { inRange: 'TODAY' } },
    };
    const { where, ranges } = resolveRelativeRanges(input, sales, NOW);
    expect(where).toEqual({
      OR: [
        { orderDate: { gte: '2025-05-13T04:00:00.000Z', lt: '2025-05-14T04:00:00.000Z' } },
        { AND: [{ shipDate: { gte: '2025-05-12T04:00:00.000Z', lt: '2025-05-19T04:00:00.000Z' } }] },
      ],
      NOT: { orderDate: { gte: '2025-05-14T04:00:00.000Z', lt: '2025-05-15T04:00:00.000Z' } },
    });
    expect(ranges.map((r) => `${r.field} ${r.expression} ${r.from} ${r.to}`)).toEqual([
      'orderDate yesterday 2025-05-13T00:00:00-04:00 2025-05-14T00:00:00-04:00',
      'shipDate this week 2025-05-12T00:00:00-04:00 2025-05-19T00:00:00-04:00',
      'orderDate TODAY 2025-05-14T00:00:00-04:00 2025-05-15T00:00:00-04:00',
    ]);
  });

  it('leaves a where without inRange as the very same object, and does not touch its input', () => {
    const plain = Object.freeze({ region: { eq: 'west' }, OR: [{ orderDate: { gte: '2025-01-01' } }] });
    expect(resolveRelativeRanges(plain, sales, NOW)).toEqual({ where: plain, ranges: [] });
    expect(resolveRelativeRanges(plain, sales, NOW).where).toBe(plain);
    expect(resolveRelativeRanges(null, sales, NOW)).toEqual({ where: null, ranges: [] });
    expect(resolveRelativeRanges(undefined, sales, NOW)).toEqual({ where: undefined, ranges: [] });
    const frozen = Object.freeze({ orderDate: Object.freeze({ inRange: 'today' }) });
    resolveRelativeRanges(frozen, sales, NOW);
    expect(frozen).toEqual({ orderDate: { inRange: 'today' } });
  });

  it('withResolvedRanges returns the same request when there is nothing to resolve', () => {
    const request: DatasetRequest = { dataset: 'sales', rows: null, totals: { measures: ['revenue'], calcs: [] }, where: { region: { eq: 'x' } } };
    expect(withResolvedRanges(request, sales, NOW).request).toBe(request);
    const relative = { ...request, where: { orderDate: { inRange: 'today' } } };
    const resolved = withResolvedRanges(relative, sales, NOW);
    expect(resolved.request).not.toBe(relative);
    expect(resolved.request.where).toEqual({ orderDate: { gte: '2025-05-14T04:00:00.000Z', lt: '2025-05-15T04:00:00.000Z' } });
  });

  it('plans like the same query with explicit bounds', () => {
    const request = (where: unknown): DatasetRequest => ({ dataset: 'sales', rows: null, totals: { measures: ['revenue'], calcs: [] }, where });
    const relative = buildPlan(sales, withResolvedRanges(request({ orderDate: { inRange: 'last 7 days' } }), sales, NOW).request, config.server);
    const explicit = buildPlan(sales, request({ orderDate: { gte: '2025-05-08', lt: '2025-05-15' } }), config.server);
    expect(printFilter(relative.totals!.filter!)).toBe(printFilter(explicit.totals!.filter!));
  });

  it('refuses an unknown expression with BAD_USER_INPUT naming the path and listing the forms', () => {
    const error = refusal(() => resolveRelativeRanges({ OR: [{ region: { eq: 'x' } }, { orderDate: { inRange: 'next week' } }] }, sales, NOW));
    expect(error).toBeInstanceOf(TributaryError);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('where.OR[1].orderDate.inRange: "next week" is not a relative range');
    for (const form of ['"today"', '"yesterday"', '"this week|month|quarter|year"', '"last week|month|quarter|year"', '"last N days|weeks|months', '"year to date"', '"month to date"']) {
      expect(error.message).toContain(form);
    }
  });

  it('refuses a range reaching past the supported years', () => {
    const error = refusal(() => resolveRelativeRanges({ orderDate: { inRange: 'last 999999 days' } }, sales, NOW));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('where.orderDate.inRange: "last 999999 days" reaches outside the supported years');
  });

  it('a stream-like where that was never resolved is refused by the planner, not silently dropped', () => {
    const request: DatasetRequest = { dataset: 'sales', rows: null, totals: { measures: ['revenue'], calcs: [] }, where: { orderDate: { inRange: 'today' } } };
    const error = refusal(() => buildPlan(sales, request, config.server));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toContain('where.orderDate.inRange: relative ranges are resolved only in the where of dataset and fusion queries');
  });

  it('leaves inRange on a non-time field for the planner to refuse as an unknown operator', () => {
    const { where } = resolveRelativeRanges({ region: { inRange: 'today' } }, sales, NOW);
    expect(where).toEqual({ region: { inRange: 'today' } });
  });
});
