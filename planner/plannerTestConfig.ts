/** A config for planner tests. The source is never connected to: tests only plan. */
export const PLANNER_TEST_CONFIG = `
sources:
  warehouse: { kind: postgres, url: "postgres://nobody@127.0.0.1:1/none" }
datasets:
  sales:
    source: warehouse
    table: public.sales
    timezone: UTC
    dimensions:
      region: { type: string }
      channel: { type: string }
      quantity: { type: number }
      returned: { type: boolean }
      orderDate: { type: time, column: order_ts, granularity: day }
    measures:
      revenue: { sum: amount }
      cost: { sum: cost }
      orders: { count: "*" }
      customers: { countDistinct: customer_id }
      avgPrice: { avg: unit_price }
      maxAmount: { max: amount }
      notional: { sum: "unit_price * quantity" }
`;
