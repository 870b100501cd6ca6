/**
 * A scripted BI session on the demo `sales` table: what one analyst clicks through in a
 * few minutes on a "revenue by region × month" dashboard. Each interaction is the GraphQL
 * document the front end sends. `again(n)` re-sends interaction n's document byte for byte,
 * as a front end does when the user navigates back to a view.
 */
export interface Interaction {
  /** What the user did. */
  readonly what: string;
  readonly document: string;
  /** The earlier interaction (1-based) this one repeats exactly, if any. */
  readonly repeats: number | null;
}

const Y2024 = 'orderDate: { gte: "2024-01-01", lt: "2025-01-01" }';
const Y2023 = 'orderDate: { gte: "2023-01-01", lt: "2024-01-01" }';
const H1_2024 = 'orderDate: { gte: "2024-01-01", lt: "2024-07-01" }';
const Q3_2024 = 'orderDate: { gte: "2024-07-01", lt: "2024-10-01" }';
const JUNE_2024 = 'orderDate: { gte: "2024-06-01", lt: "2024-07-01" }';
const EUROPE = 'region: { eq: "Europe" }';
const EUROPE_NA = 'region: { in: ["Europe", "North America"] }';
const ONLINE_MARKETPLACE = 'channel: { in: ["Online", "Marketplace"] }';
const MONTH = 'month: orderDate(granularity: MONTH)';
const QUARTER = 'quarter: orderDate(granularity: QUARTER)';
const YEAR = 'year: orderDate(granularity: YEAR)';
const DAY = 'day: orderDate(granularity: DAY)';
const WEEK = 'week: orderDate(granularity: WEEK)';
const MARGIN = 'margin: calc(expr: "(revenue - cost) / revenue")';
const TOTALS = 'totals { revenue orders }';

const ask = (what: string, args: string, selection: string): Omit<Interaction, 'repeats'> => ({
  what,
  document: `query Dashboard { sales(${args}) { ${selection} } }`,
});
const again = (n: number, what: string) => ({ what, repeats: n });

const SCRIPT: readonly (Omit<Interaction, 'repeats'> | { what: string; repeats: number })[] = [
  /*  1 */ ask('opens revenue, orders by region × month, 2024', `where: { ${Y2024} }`, `rows { region ${MONTH} revenue orders }`),
  /*  2 */ ask('turns on the totals row', `where: { ${Y2024} }`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /*  3 */ ask('drills up to quarter', `where: { ${Y2024} }`, `rows { region ${QUARTER} revenue orders } ${TOTALS}`),
  /*  4 */ ask('drills up to year', `where: { ${Y2024} }`, `rows { region ${YEAR} revenue orders } ${TOTALS}`),
  /*  5 */ again(2, 'drills back down to month'),
  /*  6 */ ask('sorts by revenue, highest first', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }]`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /*  7 */ ask('sorts by revenue, lowest first', `where: { ${Y2024} }, orderBy: [{ revenue: ASC }]`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /*  8 */ ask('top 10 region-months by revenue', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }], limit: 10`, `rows { region ${MONTH} revenue orders }`),
  /*  9 */ ask('narrows to the top 5', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }], limit: 5`, `rows { region ${MONTH} revenue orders }`),
  /* 10 */ ask('top 10 region-months by orders instead', `where: { ${Y2024} }, orderBy: [{ orders: DESC }], limit: 10`, `rows { region ${MONTH} revenue orders }`),
  /* 11 */ ask('filters to Europe', `where: { ${Y2024}, ${EUROPE} }`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 12 */ ask('adds North America to the filter', `where: { ${Y2024}, ${EUROPE_NA} }`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 13 */ ask('sorts the two regions by orders, most first', `where: { ${Y2024}, ${EUROPE_NA} }, orderBy: [{ orders: DESC }]`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 14 */ again(2, 'clears the region filter'),
  /* 15 */ ask('drills down to the days of June 2024', `where: { ${JUNE_2024} }`, `rows { region ${DAY} revenue orders } ${TOTALS}`),
  /* 16 */ ask('best 10 region-days of June', `where: { ${JUNE_2024} }, orderBy: [{ revenue: DESC }], limit: 10`, `rows { region ${DAY} revenue orders }`),
  /* 17 */ ask('June days, Europe only', `where: { ${JUNE_2024}, ${EUROPE} }`, `rows { region ${DAY} revenue orders } ${TOTALS}`),
  /* 18 */ ask('June by week', `where: { ${JUNE_2024} }`, `rows { region ${WEEK} revenue orders } ${TOTALS}`),
  /* 19 */ ask('June days, Europe and North America', `where: { ${JUNE_2024}, ${EUROPE_NA} }`, `rows { region ${DAY} revenue orders } ${TOTALS}`),
  /* 20 */ again(2, 'drills back up to the months of 2024'),
  /* 21 */ ask('adds a margin column', `where: { ${Y2024} }`, `rows { region ${MONTH} revenue orders ${MARGIN} } ${TOTALS}`),
  /* 22 */ ask('sorts the margin view by revenue, highest first', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }]`, `rows { region ${MONTH} revenue orders ${MARGIN} } ${TOTALS}`),
  /* 23 */ ask('margin by quarter', `where: { ${Y2024} }`, `rows { region ${QUARTER} revenue ${MARGIN} } ${TOTALS}`),
  /* 24 */ ask('adds margin to the totals row', `where: { ${Y2024} }`, `rows { region ${MONTH} revenue orders ${MARGIN} } totals { revenue orders ${MARGIN} }`),
  /* 25 */ ask('switches the measure to average price', `where: { ${Y2024} }`, `rows { region ${MONTH} avgPrice orders } totals { avgPrice orders }`),
  /* 26 */ ask('average price by quarter', `where: { ${Y2024} }`, `rows { region ${QUARTER} avgPrice orders } totals { avgPrice orders }`),
  /* 27 */ ask('average price, highest first', `where: { ${Y2024} }, orderBy: [{ avgPrice: DESC }]`, `rows { region ${MONTH} avgPrice orders } totals { avgPrice orders }`),
  /* 28 */ again(6, 'back to revenue, highest first'),
  /* 29 */ ask('pages the table: rows 1-20', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }], limit: 20`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 30 */ ask('page 2: rows 21-40', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }], limit: 20, offset: 20`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 31 */ ask('page 3: rows 41-60', `where: { ${Y2024} }, orderBy: [{ revenue: DESC }], limit: 20, offset: 40`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 32 */ ask('only region-months with revenue over 1M', `where: { ${Y2024} }, having: { revenue: { gt: 1000000 } }`, `rows { region ${MONTH} revenue orders }`),
  /* 33 */ ask('raises the bar to 1.5M, highest first', `where: { ${Y2024} }, having: { revenue: { gt: 1500000 } }, orderBy: [{ revenue: DESC }]`, `rows { region ${MONTH} revenue orders }`),
  /* 34 */ ask('quarters with over 15,000 orders', `where: { ${Y2024} }, having: { orders: { gt: 15000 } }`, `rows { region ${QUARTER} revenue orders }`),
  /* 35 */ ask('third quarter only, by month', `where: { ${Q3_2024} }`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 36 */ ask('first half by region', `where: { ${H1_2024} }`, `rows { region revenue orders } ${TOTALS}`),
  /* 37 */ ask('whole year by region', `where: { ${Y2024} }`, `rows { region revenue orders } ${TOTALS}`),
  /* 38 */ ask('switches the year to 2023', `where: { ${Y2023} }`, `rows { region ${MONTH} revenue orders } ${TOTALS}`),
  /* 39 */ ask('2023 by quarter', `where: { ${Y2023} }`, `rows { region ${QUARTER} revenue orders } ${TOTALS}`),
  /* 40 */ ask('2023 top 5 region-months', `where: { ${Y2023} }, orderBy: [{ revenue: DESC }], limit: 5`, `rows { region ${MONTH} revenue orders }`),
  /* 41 */ again(2, 'back to 2024'),
  /* 42 */ ask('groups by channel instead of region', `where: { ${Y2024} }`, `rows { channel ${MONTH} revenue orders } ${TOTALS}`),
  /* 43 */ ask('channel only, whole year', `where: { ${Y2024} }`, `rows { channel revenue orders } ${TOTALS}`),
  /* 44 */ ask('Online and Marketplace by quarter', `where: { ${Y2024}, ${ONLINE_MARKETPLACE} }`, `rows { channel ${QUARTER} revenue orders } ${TOTALS}`),
  /* 45 */ again(11, 'back to the Europe view'),
  /* 46 */ ask('Europe, top 5 months', `where: { ${Y2024}, ${EUROPE} }, orderBy: [{ revenue: DESC }], limit: 5`, `rows { region ${MONTH} revenue orders }`),
  /* 47 */ ask('KPI tile: year totals only', `where: { ${Y2024} }`, TOTALS),
  /* 48 */ again(15, 'back to the June days'),
  /* 49 */ again(21, 'back to the margin view'),
  /* 50 */ again(1, 'back to the opening view'),
];

export const DASHBOARD_SESSION: readonly Interaction[] = SCRIPT.map((step, i) => {
  if ('document' in step) return Object.freeze({ ...step, repeats: null });
  const earlier = SCRIPT[step.repeats - 1];
  if (step.repeats > i || !earlier || !('document' in earlier)) {
    throw new Error(`dashboardSession: interaction ${i + 1} repeats #${step.repeats}, which must be an earlier interaction that is not itself a repeat`);
  }
  return Object.freeze({ what: step.what, document: earlier.document, repeats: step.repeats });
});
