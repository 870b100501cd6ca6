/**
 * Issue 14, relative ranges, on the real Postgres server with a fixed clock in New York:
 * `inRange` answers equal the same query with explicit bounds and an independent SQL
 * reference; meta.ranges reports the resolved bounds (for plain answers, progressive
 * versions and fusions); a "today" cached yesterday is never served today (moving the
 * clock one day changes the plan, so the cache key); explain prints the absolute bounds;
 * an unknown expression is refused with BAD_USER_INPUT naming the path.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetRequest } from '../planner/index.ts';
import { parseConfig } from '../schema/index.ts';
import { createGateway, explainQuery, printExplained, startServer, type Gateway, type RunningServer } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import type { GraphQLResponse } from './support/testGateway.ts';

const admin = await connectTestPostgres();
const S = 'tributary_relative_ranges';

const CONFIG = (url: string) => `
cache: { enabled: true }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  sales:
    source: warehouse
    table: ${S}.sales
    timezone: America/New_York
    dimensions: { region: { type: string }, ts: { type: time, granularity: day } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
  sliced:
    source: warehouse
    table: ${S}.sales
    timezone: America/New_York
    progressive: { slices: 4 }
    dimensions: { region: { type: string }, ts: { type: time, granularity: day } }
    measures: { revenue: { sum: amount } }
  refunds:
    source: warehouse
    table: ${S}.sales
    timezone: America/New_York
    dimensions: { region: { type: string }, ts: { type: time, granularity: day } }
    measures: { refunded: { sum: "amount / 10" } }
fusions:
  both:
    join: full
    keys: { region: string, day: time }
    members:
      sales: { region: region, day: ts }
      refunds: { region: region, day: ts }
`;

/** Sunday 2025-03-09, 13:00 in New York: the 23-hour day clocks spring forward. */
const D = Date.parse('2025-03-09T17:00:00Z');
const DAY = 86_400_000;

interface Row {
  region: string;
  revenue: number;
  orders: number;
}
interface Range {
  field: string;
  expression: string;
  from: string;
  to: string;
}
const FIELDS = 'rows { region revenue orders } meta { cache ranges { field expression from to } }';

describe.skipIf(!admin)('relative ranges (inRange) with an injected clock', () => {
  let gateway: Gateway;
  let server: RunningServer;
  let reference: pg.Client;
  let now = D;

  const query = async (text: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: text, variables }),
    });
    return (await response.json()) as GraphQLResponse;
  };
  const sales = async (where: Record<string, unknown>) => {
    const answer = await query(`query ($where: SalesWhere) { sales(where: $where, orderBy: [{ region: ASC }]) { ${FIELDS} } }`, { where });
    expect(answer.errors).toBeUndefined();
    return answer.data.sales as { rows: Row[]; meta: { cache: string; ranges: Range[] } };
  };
  /** The rows by region over [from, to) (instants), straight from Postgres. */
  const expected = async (from: string, to: string): Promise<Row[]> =>
    (
      await reference.query(
        `select region, sum(amount)::float8 as revenue, count(*)::int as orders from ${S}.sales where ts >= $1 and ts < $2 group by 1 order by 1`,
        [from, to],
      )
    ).rows as Row[];
  const same = (got: Row[], want: Row[]) => {
    expect(got.map((r) => [r.region, r.orders])).toEqual(want.map((r) => [r.region, r.orders]));
    got.forEach((row, i) => expect(row.revenue).toBeCloseTo(want[i]!.revenue, 6));
  };

  beforeAll(async () => {
    // One row an hour from 2024-12-01 to 2025-03-20 (UTC), amounts distinct enough to tell days apart.
    await admin!.query(`drop schema if exists ${S} cascade; create schema ${S};
      create table ${S}.sales as
        select timestamptz '2024-12-01 00:00:00+00' + (g * interval '1 hour') as ts,
          (array['East','West','North'])[1 + g % 3] as region,
          (g % 97)::numeric(10,2) + 0.5 as amount
        from generate_series(0, 108 * 24 - 1) g;`);
    gateway = await createGateway(parseConfig(CONFIG(TEST_PG_URL)), { now: () => now });
    server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
    reference = new pg.Client({ connectionString: TEST_PG_URL });
    await reference.connect();
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await gateway?.close();
    await reference?.end();
    await admin?.query(`drop schema if exists ${S} cascade`);
    await admin?.end();
  });

  it('a "today" cached yesterday is never served today', async () => {
    now = D;
    const first = await sales({ ts: { inRange: 'today' } });
    // The 23-hour day: 23 hourly rows, from midnight EST to midnight EDT.
    expect(first.meta.ranges).toEqual([{ field: 'ts', expression: 'today', from: '2025-03-09T00:00:00-05:00', to: '2025-03-10T00:00:00-04:00' }]);
    same(first.rows, await expected('2025-03-09T05:00:00Z', '2025-03-10T04:00:00Z'));
    expect(first.rows.reduce((n, r) => n + r.orders, 0)).toBe(23);
    const again = await sales({ ts: { inRange: 'today' } });
    expect(again.meta.cache).toBe('HIT');

    now = D + DAY;
    const nextDay = await sales({ ts: { inRange: 'today' } });
    expect(nextDay.meta.ranges).toEqual([{ field: 'ts', expression: 'today', from: '2025-03-10T00:00:00-04:00', to: '2025-03-11T00:00:00-04:00' }]);
    expect(nextDay.meta.cache).not.toBe('HIT');
    same(nextDay.rows, await expected('2025-03-10T04:00:00Z', '2025-03-11T04:00:00Z'));
    expect(nextDay.rows.reduce((n, r) => n + r.orders, 0)).toBe(24);
    // The cache keys hold absolute bounds: yesterday's "today" is today's "yesterday".
    const yesterday = await sales({ ts: { inRange: 'yesterday' } });
    expect(yesterday.meta.cache).toBe('HIT');
    same(yesterday.rows, first.rows);
  });

  it.each<[string, string, string]>([
    ['today', '2025-03-09T05:00:00Z', '2025-03-10T04:00:00Z'],
    ['yesterday', '2025-03-08T05:00:00Z', '2025-03-09T05:00:00Z'],
    // A Sunday: the week began on Monday 2025-03-03.
    ['this week', '2025-03-03T05:00:00Z', '2025-03-10T04:00:00Z'],
    ['last week', '2025-02-24T05:00:00Z', '2025-03-03T05:00:00Z'],
    ['last 7 days', '2025-03-03T05:00:00Z', '2025-03-10T04:00:00Z'],
    ['Last  2 Weeks', '2025-02-24T05:00:00Z', '2025-03-10T04:00:00Z'],
    ['this month', '2025-03-01T05:00:00Z', '2025-04-01T04:00:00Z'],
    ['last month', '2025-02-01T05:00:00Z', '2025-03-01T05:00:00Z'],
    ['last 3 months', '2025-01-01T05:00:00Z', '2025-04-01T04:00:00Z'],
    ['last quarter', '2024-10-01T04:00:00Z', '2025-01-01T05:00:00Z'],
    ['year to date', '2025-01-01T05:00:00Z', '2025-03-10T04:00:00Z'],
    ['month to date', '2025-03-01T05:00:00Z', '2025-03-10T04:00:00Z'],
  ])('%s equals the query with its explicit bounds and the SQL reference', async (expression, from, to) => {
    now = D;
    const relative = await sales({ region: { ne: 'North' }, ts: { inRange: expression } });
    const [range] = relative.meta.ranges;
    expect(relative.meta.ranges).toHaveLength(1);
    expect(Date.parse(range!.from)).toBe(Date.parse(from));
    expect(Date.parse(range!.to)).toBe(Date.parse(to));
    // The reported bounds, given back as explicit bounds, answer the same.
    const explicit = await sales({ region: { ne: 'North' }, ts: { gte: range!.from, lt: range!.to } });
    expect(explicit.meta.ranges).toEqual([]);
    same(relative.rows, explicit.rows);
    same(relative.rows, (await expected(from, to)).filter((r) => r.region !== 'North'));
  });

  it('resolves inRange nested in OR and NOT, each range reported', async () => {
    now = D;
    const answer = await sales({ OR: [{ ts: { inRange: 'yesterday' } }, { ts: { inRange: 'today' } }], NOT: { region: { eq: 'East' } } });
    expect(answer.meta.ranges.map((r) => r.expression)).toEqual(['yesterday', 'today']);
    same(answer.rows, (await expected('2025-03-08T05:00:00Z', '2025-03-10T04:00:00Z')).filter((r) => r.region !== 'East'));
  });

  it('progressive answers report the ranges in every version and end with the exact rows', async () => {
    now = D;
    const request: DatasetRequest = {
      dataset: 'sliced',
      rows: { dimensions: [{ name: 'region', granularity: null }], measures: ['revenue'], calcs: [] },
      totals: null,
      where: { ts: { inRange: 'last 3 months' } },
      orderBy: [{ region: 'ASC' }],
    };
    const versions = [];
    for await (const version of gateway.answerProgressively(request)) versions.push(version);
    expect(versions.at(-1)!.final).toBe(true);
    // Sliced: the versions before the final one carry the ranges too.
    expect(versions.length).toBeGreaterThan(1);
    for (const v of versions) {
      expect(v.meta.ranges).toEqual([{ field: 'ts', expression: 'last 3 months', from: '2025-01-01T00:00:00-05:00', to: '2025-04-01T00:00:00-04:00' }]);
    }
    const final = versions.at(-1)!;
    const regions = final.rows!.table.getChild('region')!.toArray() as string[];
    const revenue = [...final.rows!.table.getChild('revenue.sum')!.toArray()].map(Number);
    const want = await expected('2025-01-01T05:00:00Z', '2025-04-01T04:00:00Z');
    expect(regions).toEqual(want.map((r) => r.region));
    revenue.forEach((value, i) => expect(value).toBeCloseTo(want[i]!.revenue, 6));
  });

  it('a fusion resolves inRange on its time key in the view\'s zone', async () => {
    now = D;
    const answer = await query(`{ both(where: { day: { inRange: "yesterday" } }, orderBy: [{ region: ASC }]) { rows { region revenue refunded } meta { ranges { field expression from to } } } }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.both.meta.ranges).toEqual([{ field: 'day', expression: 'yesterday', from: '2025-03-08T00:00:00-05:00', to: '2025-03-09T00:00:00-05:00' }]);
    const want = await expected('2025-03-08T05:00:00Z', '2025-03-09T05:00:00Z');
    const rows = answer.data.both.rows as { region: string; revenue: number; refunded: number }[];
    expect(rows.map((r) => r.region)).toEqual(want.map((r) => r.region));
    rows.forEach((row, i) => {
      expect(row.revenue).toBeCloseTo(want[i]!.revenue, 6);
      expect(row.refunded).toBeCloseTo(want[i]!.revenue / 10, 6);
    });
  });

  it('meta.ranges is empty without inRange', async () => {
    const answer = await sales({ region: { eq: 'West' } });
    expect(answer.meta.ranges).toEqual([]);
  });

  it('explain prints the absolute bounds, never the expression', async () => {
    now = D;
    const { plans, errors } = await explainQuery(gateway, '{ sales(where: { ts: { inRange: "today" } }) { rows { region revenue } } }');
    expect(errors).toEqual([]);
    const printed = plans.map(printExplained).join('\n');
    expect(printed).toContain('ts >= "2025-03-09T05:00:00.000Z" and ts < "2025-03-10T04:00:00.000Z"');
    expect(printed).not.toContain('today');
    expect(printed).not.toContain('inRange');
    // The same plan key as the explicit query's.
    const explicit = await explainQuery(gateway, '{ sales(where: { ts: { gte: "2025-03-09", lt: "2025-03-10" } }) { rows { region revenue } } }');
    expect(plans.map((p) => p.key)).toEqual(explicit.plans.map((p) => p.key));
    const fusion = await explainQuery(gateway, '{ both(where: { day: { inRange: "yesterday" } }) { rows { region revenue } } }');
    expect(fusion.errors).toEqual([]);
    expect(fusion.plans.map(printExplained).join('\n')).toContain('"2025-03-08T05:00:00.000Z"');
  });

  it('refuses an unknown expression with BAD_USER_INPUT naming the path and the forms', async () => {
    const answer = await query('{ sales(where: { AND: [{ ts: { inRange: "next week" } }] }) { rows { region } } }');
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.message).toContain('where.AND[0].ts.inRange: "next week" is not a relative range; use one of: "today", "yesterday"');
  });
});
