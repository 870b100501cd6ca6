/** Printed plans and SQL for a kitchen-sink query: the reviewable record of what the planner emits. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileSql } from './index.ts';
import { parseConfig } from '../schema/index.ts';
import { createGateway, explainQuery, printExplained, type Gateway } from '../server/index.ts';
import { PLANNER_TEST_CONFIG } from './plannerTestConfig.ts';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await createGateway(parseConfig(PLANNER_TEST_CONFIG), { check: false });
});
afterAll(() => gateway.close());

const KITCHEN_SINK = `
query KitchenSink($since: String) {
  sales(
    where: {
      orderDate: { gte: $since, lt: "2025-01-01T00:00:00+01:00" }
      region: { in: ["Europe", "Asia Pacific", "Europe"], notIn: ["Nowhere"] }
      OR: [{ channel: { startsWith: "On" } }, { channel: { contains: "tail" } }, { quantity: { isNull: true } }]
      NOT: { returned: { eq: true } }
    }
    having: { revenue: { gt: 1000 }, OR: [{ avgPrice: { lt: 50 } }, { orders: { gte: 10 } }] }
    orderBy: [{ revenue: DESC }, { orderDate: ASC }]
    limit: 25
    offset: 5
  ) {
    rows {
      region
      month: orderDate(granularity: MONTH)
      week: orderDate(granularity: WEEK)
      revenue
      avgPrice
      customers
      margin: calc(expr: "(revenue - cost) / revenue")
    }
    totals { revenue notional calc(expr: "maxAmount / orders") }
  }
}`;

it('prints the kitchen-sink plan and SQL', async () => {
  const { plans, errors } = await explainQuery(gateway, KITCHEN_SINK, { since: '2024-01-01' });
  expect(errors).toEqual([]);
  expect(plans.map(printExplained).join('\n\n')).toMatchSnapshot();
});

it('prints the SQL with every step pushed down (cache: BYPASS, or limit pushdown)', async () => {
  const { plans } = await explainQuery(gateway, KITCHEN_SINK, { since: '2024-01-01' });
  const dataset = gateway.config.datasets.sales!;
  const compiled = plans.map((p) => compileSql(p.plan, dataset));
  expect(compiled.map((c) => `${c.sql}\nparams: ${JSON.stringify(c.params)}`).join('\n\n')).toMatchSnapshot();
});

it('plans are frozen plain data', async () => {
  const { plans } = await explainQuery(gateway, KITCHEN_SINK, { since: '2024-01-01' });
  const plan = plans[0]!.plan;
  expect(Object.isFrozen(plan)).toBe(true);
  expect(Object.isFrozen(plan.dimensions)).toBe(true);
  expect(Object.isFrozen(plan.filter)).toBe(true);
  expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
});
