/**
 * The SQL a cache miss sends keeps the plan Postgres would choose for the plain aggregate,
 * on a table whose group estimate is far off: 200,000 flights with a timestamp of ~200,000
 * distinct values bucketed by month (Postgres estimates ~200,000 groups; there are ~200), a
 * skewed carrier and an integer distance. The statements are the ones the gateway actually
 * sent (recorded at the source with their parameters), run again under EXPLAIN ANALYZE.
 * Round trips are counted at the source: every statement, EXPLAINs included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompiledQuery } from '../planner/index.ts';
import type { Source } from '../sources/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'i10sql_plans';

const CONFIG = (url: string) => `
cache: { enabled: true, maxCoreRows: 1000 }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  flights:
    source: warehouse
    table: ${SCHEMA}.flights
    timezone: UTC
    dimensions:
      carrier: { type: string }
      depTime: { type: time, column: dep_time }
      distance: { type: number }
    measures:
      revenue: { sum: revenue }
      flights: { count: "*" }
      avgDelay: { avg: delay }
      carriers: { countDistinct: carrier }
`;

interface PlanNode {
  'Node Type': string;
  Strategy?: string;
  Filter?: string;
  'Sort Method'?: string;
  'HashAgg Batches'?: number;
  'Disk Usage'?: number;
  Plans?: PlanNode[];
}

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

const admin = await connectTestPostgres();

describe.skipIf(!admin)('pushdown SQL keeps the best plan on a table whose group estimate is far off', () => {
  let gw: TestGateway;
  /** Statements run at the source since the last reset: executes and EXPLAIN estimates. */
  let sent: { kind: 'execute' | 'estimate'; query: CompiledQuery; maxRows?: number }[] = [];

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.flights as
      select g as id,
        timestamp '2020-01-01' + (g::int8 * 3797 % 200000) * interval '5 minutes' as dep_time,
        (array['AA','AA','AA','AA','DL','DL','UA','WN','B6','NK','F9','AS','HA'])[1 + (g * 7 % 13)] as carrier,
        (50 + (g * 31 % 2950))::int4 as distance,
        ((g::int8 * 7919) % 100003) / 100.0 as revenue,
        ((g * 13) % 120) - 20 as delay
      from generate_series(1, 200000) g;
      analyze ${SCHEMA}.flights`);
    gw = await startTestGateway(CONFIG(TEST_PG_URL));
    const source = gw.gateway.sources.get('warehouse')! as Source & Record<string, unknown>;
    const execute = source.execute.bind(source);
    const estimate = source.estimateRows.bind(source);
    source.execute = (query, options) => {
      sent.push({ kind: 'execute', query, ...(options?.maxRows === undefined ? {} : { maxRows: options.maxRows }) });
      return execute(query, options);
    };
    source.estimateRows = (query) => {
      sent.push({ kind: 'estimate', query });
      return estimate(query);
    };
  });

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  const run = async (document: string) => {
    gw.gateway.cache.invalidate();
    sent = [];
    const { data, errors } = await gw.query(document);
    expect(errors).toBeUndefined();
    return data;
  };

  const explainAnalyze = async (query: CompiledQuery): Promise<PlanNode> => {
    const result = await admin!.query({ text: `explain (analyze, format json) ${query.sql}`, values: query.params as unknown[] });
    return (result.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan;
  };

  const ROWS = '{ flights(where: { distance: { lt: 100000 } }) { rows { carrier depTime(granularity: MONTH) revenue flights avgDelay } } }';

  it('a top-N whose core fits: one round trip, hash-aggregated, no sort, no cast of the integer column', async () => {
    const data = await run(ROWS);
    expect(data.flights.rows.length).toBeGreaterThan(100);
    expect(sent.map((s) => s.kind)).toEqual(['execute']);
    const plan = await explainAnalyze(sent[0]!.query);
    const all = nodes(plan);
    const aggregates = all.filter((n) => n.Strategy !== undefined && n['Node Type'] === 'Aggregate');
    expect(aggregates.length).toBeGreaterThan(0);
    for (const a of aggregates) expect(a.Strategy).toBe('Hashed');
    expect(all.filter((n) => n['Node Type'] === 'Sort')).toEqual([]);
    for (const a of aggregates) expect(a['HashAgg Batches'] ?? 1).toBe(1); // nothing spilled to disk
    const filters = all.map((n) => n.Filter).filter((f): f is string => f !== undefined);
    expect(filters.join(' ')).toMatch(/\(distance < /);
    expect(filters.join(' ')).not.toMatch(/distance\)::/);
    expect(sent[0]!.query.sql).not.toMatch(/\b(order by|limit)\b/i);
  });

  it('cache: BYPASS sends what a miss sends: the plain core, hash-aggregated, ordered and limited by the gateway', async () => {
    const bypass = '{ flights(cache: BYPASS, where: { distance: { lt: 100000 } }, orderBy: [{ depTime: ASC }, { carrier: ASC }]) { rows { carrier depTime(granularity: MONTH) revenue } meta { cache } } }';
    const data = await run(bypass);
    expect(data.flights.meta.cache).toBe('BYPASS');
    expect(sent.map((s) => [s.kind, s.maxRows ?? null])).toEqual([['execute', 1001]]);
    expect(sent[0]!.query.sql).not.toMatch(/\b(order by|limit)\b/i);
    const all = nodes(await explainAnalyze(sent[0]!.query));
    expect(all.filter((n) => n['Node Type'] === 'Sort')).toEqual([]);
    for (const a of all.filter((n) => n['Node Type'] === 'Aggregate')) expect(a.Strategy).toBe('Hashed');
    // The gateway's order equals the source's: same rows as the cached answer, in the same order.
    const cached = await run(bypass.replace('cache: BYPASS, ', ''));
    expect(data.flights.rows).toEqual(cached.flights.rows);
    const keys = data.flights.rows.map((r: { depTime: string; carrier: string }) => `${r.depTime} ${r.carrier}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('a top-N over more groups than maxCoreRows: two round trips, then one', async () => {
    const topDistances = '{ flights(orderBy: [{ revenue: DESC }], limit: 5) { rows { carrier distance revenue } } }';
    await run(topDistances);
    expect(sent.map((s) => [s.kind, s.maxRows ?? null])).toEqual([
      ['execute', 1001],
      ['execute', null],
    ]);
    expect(sent[0]!.query.sql).not.toMatch(/\b(order by|limit)\b/i);
    const bounded = nodes(await explainAnalyze(sent[0]!.query));
    expect(bounded.filter((n) => n['Node Type'] === 'Sort')).toEqual([]);
    sent = [];
    const { errors } = await gw.query('{ flights(orderBy: [{ revenue: DESC }], limit: 3) { rows { carrier distance revenue } } }');
    expect(errors).toBeUndefined();
    expect(sent.map((s) => s.kind)).toEqual(['execute']);
  });

  it('rows and totals on a miss: one round trip, hash-aggregated, totals equal to SQL', async () => {
    const data = await run(
      '{ flights(where: { distance: { lt: 100000 } }) { rows { carrier depTime(granularity: MONTH) revenue } totals { revenue flights avgDelay } meta { cache } } }',
    );
    expect(sent.map((s) => s.kind)).toEqual(['execute']);
    expect(data.flights.meta.cache).toBe('MISS');
    const [expected] = (
      await admin!.query(`select sum(revenue)::float8 as revenue, count(*)::float8 as flights, avg(delay)::float8 as "avgDelay" from ${SCHEMA}.flights where distance < 100000`)
    ).rows;
    for (const key of ['revenue', 'flights', 'avgDelay'] as const) expect(data.flights.totals[key]).toBeCloseTo(expected[key], 6);
    const all = nodes(await explainAnalyze(sent[0]!.query));
    expect(all.filter((n) => n['Node Type'] === 'Sort')).toEqual([]);
  });

  it('rows and totals over no rows: one round trip, totals as SQL gives them (null sum, zero count)', async () => {
    const data = await run('{ flights(where: { distance: { lt: 0 } }) { rows { carrier revenue } totals { revenue flights avgDelay } } }');
    expect(sent.map((s) => s.kind)).toEqual(['execute']);
    expect(data.flights.rows).toEqual([]);
    expect(data.flights.totals).toEqual({ revenue: null, flights: 0, avgDelay: null });
  });

  it('a distinct count in rows and totals: one statement (grouping sets), totals exact', async () => {
    const data = await run('{ flights { rows { depTime(granularity: YEAR) carriers } totals { carriers flights } } }');
    expect(sent.map((s) => s.kind)).toEqual(['execute']);
    expect(sent[0]!.query.sql).toMatch(/grouping sets/i);
    expect(data.flights.totals).toEqual({ carriers: 9, flights: 200000 });
  });
});
