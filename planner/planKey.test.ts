/**
 * Plan keys: queries that mean the same must share one key (the cache depends on it);
 * queries that differ in meaning must not. Table-driven over real GraphQL documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createGateway, explainQuery, type Gateway } from '../server/index.ts';
import { PLANNER_TEST_CONFIG } from './plannerTestConfig.ts';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await createGateway(parseConfig(PLANNER_TEST_CONFIG), { check: false });
});
afterAll(() => gateway.close());

async function rowsKey(query: string, variables: Record<string, unknown> = {}): Promise<string> {
  const { plans, errors } = await explainQuery(gateway, query, variables);
  expect(errors).toEqual([]);
  return plans.find((p) => p.role === 'rows')!.key;
}

const q = (args: string, fields = 'region revenue') => `{ sales${args ? `(${args})` : ''} { rows { ${fields} } } }`;

const SAME: [string, string, string, Record<string, unknown>?][] = [
  ['field order', q('', 'region revenue'), q('', 'revenue region')],
  ['aliases', q('', 'r: region rev: revenue'), q('', 'region revenue')],
  ['whitespace and commas', '{sales{rows{region,revenue}}}', '{\n  sales {\n    rows {\n      region\n      revenue\n    }\n  }\n}'],
  ['variables vs literals', q('where: { region: { eq: "Europe" } }'), 'query($r: String) { sales(where: { region: { eq: $r } }) { rows { region revenue } } }', { r: 'Europe' }],
  ['where object variable', q('where: { channel: { eq: "web" } }'), 'query($w: SalesWhere) { sales(where: $w) { rows { region revenue } } }', { w: { channel: { eq: 'web' } } }],
  ['filter field order', q('where: { region: { eq: "A" }, channel: { eq: "web" } }'), q('where: { channel: { eq: "web" }, region: { eq: "A" } }')],
  ['AND list order', q('where: { AND: [{ region: { eq: "A" } }, { quantity: { gt: 2 } }] }'), q('where: { AND: [{ quantity: { gt: 2 } }, { region: { eq: "A" } }] }')],
  ['nested AND flattened', q('where: { AND: [{ AND: [{ region: { eq: "A" } }, { quantity: { gt: 2 } }] }, { channel: { eq: "web" } }] }'), q('where: { region: { eq: "A" }, quantity: { gt: 2 }, channel: { eq: "web" } }')],
  ['OR order and nesting', q('where: { OR: [{ region: { eq: "A" } }, { OR: [{ channel: { eq: "web" } }, { quantity: { lt: 1 } }] }] }'), q('where: { OR: [{ quantity: { lt: 1 } }, { channel: { eq: "web" } }, { region: { eq: "A" } }] }')],
  ['IN order and duplicates', q('where: { region: { in: ["b", "a", "b", "c"] } }'), q('where: { region: { in: ["a", "c", "b"] } }')],
  ['one-value IN is eq', q('where: { region: { in: ["a", "a"] } }'), q('where: { region: { eq: "a" } }')],
  ['NOT NOT', q('where: { NOT: { NOT: { region: { eq: "a" } } } }'), q('where: { region: { eq: "a" } }')],
  ['empty AND is no filter', q('where: { AND: [] }'), q('')],
  ['duplicate predicates', q('where: { AND: [{ region: { eq: "a" } }, { region: { eq: "a" } }] }'), q('where: { region: { eq: "a" } }')],
  ['default granularity', q('', 'orderDate revenue'), q('', 'orderDate(granularity: DAY) revenue')],
  ['granularity via variable', q('', 'orderDate(granularity: MONTH) revenue'), 'query($g: TimeGranularity) { sales { rows { orderDate(granularity: $g) revenue } } }', { g: 'MONTH' }],
  ['named vs inline fragment', '{ sales { rows { ...F } } } fragment F on SalesRow { region revenue }', '{ sales { rows { ... on SalesRow { revenue region } } } }'],
  ['@skip drops a field', q('', 'region revenue cost @skip(if: true)'), q('', 'region revenue')],
  ['calc needs no key of its own', q('', 'region calc(expr: "revenue * 2")'), q('', 'region revenue')],
  ['same measure twice', q('', 'region revenue r2: revenue'), q('', 'region revenue')],
  ['explicit default order', q('orderBy: [{ region: ASC }]'), q('')],
  ['explicit default limit', q('limit: 1000'), q('')],
  ['offset 0 is no offset', q('offset: 0'), q('')],
  ['date vs midnight UTC instant', q('where: { orderDate: { gte: "2024-01-01" } }'), q('where: { orderDate: { gte: "2024-01-01T00:00:00Z" } }')],
  ['same instant, other offset', q('where: { orderDate: { lt: "2024-01-01T02:00:00+02:00" } }'), q('where: { orderDate: { lt: "2024-01-01T00:00:00Z" } }')],
  ['number formatting', q('where: { quantity: { in: [2.0, 1] } }'), q('where: { quantity: { in: [1, 2] } }')],
];

const DIFFERENT: [string, string, string][] = [
  ['another dimension', q('', 'region revenue'), q('', 'channel revenue')],
  ['another granularity', q('', 'orderDate(granularity: DAY) revenue'), q('', 'orderDate(granularity: MONTH) revenue')],
  ['two granularities vs one', q('', 'd: orderDate(granularity: DAY) m: orderDate(granularity: MONTH)'), q('', 'orderDate(granularity: DAY)')],
  ['another measure', q('', 'region revenue'), q('', 'region cost')],
  ['avg is not sum', q('', 'region avgPrice'), q('', 'region revenue')],
  ['another filter value', q('where: { region: { eq: "a" } }'), q('where: { region: { eq: "b" } }')],
  ['eq vs ne', q('where: { region: { eq: "a" } }'), q('where: { region: { ne: "a" } }')],
  ['AND vs OR', q('where: { AND: [{ region: { eq: "a" } }, { channel: { eq: "web" } }] }'), q('where: { OR: [{ region: { eq: "a" } }, { channel: { eq: "web" } }] }')],
  ['IN lists differ', q('where: { region: { in: ["a", "b"] } }'), q('where: { region: { in: ["a", "c"] } }')],
  ['IN vs NOT IN', q('where: { region: { in: ["a", "b"] } }'), q('where: { region: { notIn: ["a", "b"] } }')],
  ['having', q('having: { revenue: { gt: 10 } }'), q('')],
  ['order direction', q('orderBy: [{ revenue: DESC }]'), q('orderBy: [{ revenue: ASC }]')],
  ['order key order', q('orderBy: [{ revenue: DESC }, { region: ASC }]', 'region channel revenue'), q('orderBy: [{ region: ASC }, { revenue: DESC }]', 'region channel revenue')],
  ['limit', q('limit: 10'), q('limit: 11')],
  ['offset', q('offset: 10'), q('')],
  ['dataset time zone reading of a date', q('where: { orderDate: { gte: "2024-01-01" } }'), q('where: { orderDate: { gte: "2024-01-01T00:00:00+01:00" } }')],
  ['string vs number-looking string', q('where: { region: { eq: "1" } }'), q('where: { region: { eq: "01" } }')],
];

describe('plan keys', () => {
  it.each(SAME)('share a key: %s', async (_name, a, b, variables) => {
    expect(await rowsKey(a)).toBe(await rowsKey(b, variables));
  });
  it.each(DIFFERENT)('differ: %s', async (_name, a, b) => {
    expect(await rowsKey(a)).not.toBe(await rowsKey(b));
  });
});
