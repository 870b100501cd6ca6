/** The Trino dialect: its primitives, and the SQL of a kitchen-sink query (snapshot), which test/trinoDifferential.test.ts runs for real. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../schema/index.ts';
import { createGateway, explainQuery, type Gateway } from '../../server/index.ts';
import { executeImmediate } from '../../sources/TrinoStatement.ts';
import { compileSql, trinoDialect, type ParamType } from '../index.ts';

describe('trinoDialect primitives', () => {
  it.each([
    ['text', false, 'cast($3 as varchar)'],
    ['float8', false, 'cast($3 as double)'],
    ['int4', false, 'cast($3 as integer)'],
    ['int8', false, 'cast($3 as bigint)'],
    ['boolean', false, 'cast($3 as boolean)'],
    ['timestamptz', false, 'from_iso8601_timestamp($3)'],
    ['timestamp', false, "cast(replace($3, 'T', ' ') as timestamp(3))"],
    ['int8', true, 'cast($3 as array(bigint))'],
  ] as const)('a %s parameter (array: %s) is %s', (type, array, sql) => {
    expect(trinoDialect.typedPlaceholder(3, type as ParamType, array)).toBe(sql);
  });

  it('buckets on the wall clock of a literal zone', () => {
    expect(trinoDialect.timeBucket('t."ts"', 'week', trinoDialect.zoneArgument("Europe/Kyiv'", () => '$9'))).toBe(
      `date_trunc('week', cast(cast(t."ts" as timestamp(3) with time zone) at time zone 'Europe/Kyiv''' as timestamp(3)))`,
    );
  });

  it('an IN list is one parameter per member, an empty one false', () => {
    const bound: unknown[] = [];
    const bind = (value: unknown, type?: ParamType) => `cast($${bound.push(value)} as ${type})`;
    expect(trinoDialect.memberOf('t."r"', ['a', 'b'], 'text', bind)).toBe('t."r" in (cast($1 as text), cast($2 as text))');
    expect(trinoDialect.memberOf('t."r"', [], 'text', bind)).toBe('false');
    expect(bound).toEqual(['a', 'b']);
  });

  it('offset comes before limit; text needs no collation; quotes double', () => {
    expect(trinoDialect.limitOffset('$1', '$2')).toEqual(['offset $2', 'limit $1']);
    expect(trinoDialect.limitOffset('$1', null)).toEqual(['limit $1']);
    expect(trinoDialect.codePointOrder).toBe('');
    expect(trinoDialect.quoteIdent('a"b')).toBe('"a""b"');
  });
});

const CONFIG = `
sources:
  lake: { kind: trino, url: "http://127.0.0.1:1", catalog: hive, schema: sales }
datasets:
  sales:
    source: lake
    table: web.sales
    timezone: America/New_York
    dimensions:
      region: { type: string }
      quantity: { type: number }
      orderDate: { type: time, column: order_ts, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      customers: { countDistinct: customer_id }
      avgPrice: { avg: unit_price }
      notional: { sum: "unit_price * quantity * 1.5" }
`;

describe('trinoDialect in compileSql', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await createGateway(parseConfig(CONFIG), { check: false });
  });
  afterAll(() => gateway.close());

  it('compiles the kitchen sink: every value a parameter, the zone a literal, no Postgres syntax', async () => {
    const { plans, errors } = await explainQuery(
      gateway,
      `{ sales(
          where: { orderDate: { gte: "2024-01-01", lt: "2025-01-01T00:00:00+01:00" }, region: { in: ["Europe", "Asia"], notIn: [] }, quantity: { gt: 2 }
                   OR: [{ region: { startsWith: "E" } }, { region: { contains: "si" } }] }
          having: { revenue: { gt: 1000 } } orderBy: [{ revenue: DESC }, { region: ASC }] limit: 25 offset: 5) {
        rows { region month: orderDate(granularity: MONTH) revenue avgPrice customers notional } } }`,
    );
    expect(errors).toEqual([]);
    const dataset = gateway.config.datasets.sales!;
    const compiled = compileSql(plans[0]!.plan, dataset, trinoDialect);
    expect(compiled.sql).not.toMatch(/::|collate| = any\(/);
    expect(compiled.sql).toContain("at time zone 'America/New_York'");
    expect(compiled.params).not.toContain('America/New_York');
    const statement = executeImmediate(compiled.sql, compiled.params);
    expect(`${compiled.sql}\nparams: ${JSON.stringify(compiled.params)}\n\n${statement}`).toMatchSnapshot();
  });
});
