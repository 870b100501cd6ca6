/**
 * Limit pushdown: a top-N over a grouping the source estimates above `cache.maxCoreRows`
 * groups is sent with its order and limit, so the source returns N rows instead of 60,000;
 * the result is cached as a core that answers only the same order and limit. A top-N over a
 * small grouping fetches the whole core, which then answers other top-Ns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainQuery, printExplained } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';

const SCHEMA = 'tributary_cache_pushdown';
const IDS = 60_000;

const CONFIG = (url: string) => `
cache: { enabled: true, maxCoreRows: 1000 }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  big:
    source: warehouse
    table: ${SCHEMA}.big
    dimensions: { id: { type: number }, region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
`;

const topN = (dim: 'id' | 'region', limit: number, offset = 0) =>
  `{ big(orderBy: [{ revenue: DESC }], limit: ${limit}, offset: ${offset}) { rows { ${dim} revenue orders } meta { cache sources { sql rows } } } }`;

const admin = await connectTestPostgres();

describe.skipIf(!admin)('cache: top-N over many groups is pushed down to the source', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    // One row per id; amounts are a permutation (7919 is invertible modulo the prime
    // 1,000,003), so no two ids tie on revenue and the top N is unique.
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.big as
      select g as id, (array['North','South','East','West','Central'])[1 + g % 5] as region,
        ((g::int8 * 7919) % 1000003) / 100.0 as amount
      from generate_series(1, ${IDS}) g;
      analyze ${SCHEMA}.big`);
    gw = await startTestGateway(CONFIG(TEST_PG_URL));
  });

  afterAll(async () => {
    await gw?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  /** The top N written in SQL by hand: ties (there are none for id) broken by the dimension. */
  const expectedTop = async (dim: 'id' | 'region', limit: number, offset = 0) =>
    (
      await admin!.query(
        `select ${dim === 'id' ? 'id::float8' : 'region'} as ${dim}, sum(amount)::float8 as revenue, count(*)::float8 as orders
         from ${SCHEMA}.big group by 1 order by 2 desc, 1 asc limit ${limit} offset ${offset}`,
      )
    ).rows;

  it.each([
    ['id', 10, 'MISS: goes to the source; reading at most 1001 rows', /reading at most 1001 rows of the core \(planned as the whole core: no order or limit in its SQL\); if it has more, order and limit pushed to the source/],
    ['region', 2, 'MISS: goes to the source; reading at most 1001 rows', /reading at most 1001 rows of the core/],
  ] as const)('explain of a top-%s prints the pushdown decision', async (dim, limit, start, reason) => {
    const { plans, errors } = await explainQuery(gw.gateway, topN(dim, limit));
    expect(errors).toEqual([]);
    expect(plans).toHaveLength(1);
    expect(plans[0]!.cache.startsWith(start)).toBe(true);
    expect(printExplained(plans[0]!)).toMatch(reason);
  });

  it(`a top-10 over ${IDS} ids probes 1,001 groups, then fetches 10 rows with order and limit in the SQL`, async () => {
    const { data, errors } = await gw.query(topN('id', 10));
    expect(errors).toBeUndefined();
    const { rows, meta } = data.big;
    expect(meta.cache).toBe('MISS');
    expect(meta.sources).toHaveLength(2);
    expect(meta.sources[0].rows).toBe(1001);
    expect(meta.sources[0].sql).not.toMatch(/\border by\b/i);
    expect(meta.sources[1].rows).toBe(11); // one row past the limit tells meta.truncated
    expect(meta.sources[1].sql).toMatch(/\border by\b[\s\S]*\blimit\b/i);
    expectSameRows(rows, await expectedTop('id', 10), 'top-10 ids');
  });

  it('explain of a top-5 over the ids then tells that an earlier read found them too many', async () => {
    const { plans } = await explainQuery(gw.gateway, topN('id', 5));
    expect(plans[0]!.cache).toMatch(/an earlier read found more than 1000 groups: order and limit pushed to the source \(one round trip\)/);
    expect(plans[0]!.sql).toMatch(/\border by\b[\s\S]*\blimit\b/i);
  });

  it('the same top-10 again is a HIT with no source call', async () => {
    const { data } = await gw.query(topN('id', 10));
    expect(data.big.meta).toEqual({ cache: 'HIT', sources: [] });
    expectSameRows(data.big.rows, await expectedTop('id', 10), 'top-10 ids again');
  });

  it.each([
    ['a top-11', 11, 0],
    ['the top-10 from offset 5', 10, 5],
  ])('%s is not answered from the 10-row entry: it goes to the source with its own limit', async (_what, limit, offset) => {
    const { data } = await gw.query(topN('id', limit, offset));
    expect(data.big.meta.cache).toBe('MISS');
    expect(data.big.meta.sources.at(-1).rows).toBe(limit + 1); // and one more for meta.truncated
    expectSameRows(data.big.rows, await expectedTop('id', limit, offset), `top-${limit} offset ${offset}`);
  });

  it('a top-2 over 5 regions fetches the whole core (5 rows, no limit in the SQL)', async () => {
    const { data } = await gw.query(topN('region', 2));
    expect(data.big.meta.cache).toBe('MISS');
    expect(data.big.meta.sources).toHaveLength(1);
    expect(data.big.meta.sources[0].rows).toBe(5);
    expect(data.big.meta.sources[0].sql).not.toMatch(/\blimit\b/i);
    expectSameRows(data.big.rows, await expectedTop('region', 2), 'top-2 regions');
  });

  it.each([
    [3, 0],
    [2, 2],
    [5, 0],
  ])('then a top-%i from offset %i over regions is answered from that core', async (limit, offset) => {
    const { data } = await gw.query(topN('region', limit, offset));
    expect(['HIT', 'DERIVED']).toContain(data.big.meta.cache);
    expect(data.big.meta.sources).toEqual([]);
    expectSameRows(data.big.rows, await expectedTop('region', limit, offset), `top-${limit} regions`);
  });
});
