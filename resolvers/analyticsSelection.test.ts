/**
 * The GraphQL surface of issue 14 (docs/DESIGN.md "Analytics"): what buildTypeDefs declares,
 * what collectSelection lifts out of a selection into the DatasetRequest, and what the row
 * resolvers read from analytics rows.
 */
import { makeExecutableSchema } from '@graphql-tools/schema';
import { execute, getNamedType, subscribe, isEnumType, isObjectType, parse, validate, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { needsAnalytics, PREVIOUS_KEY, rollingKey, type DatasetRequest } from '../planner/index.ts';
import { buildTypeDefs, parseConfig } from '../schema/index.ts';
import { collectSelection } from './collectSelection.ts';
import { datasetResolvers } from './datasetResolvers.ts';
import { PLAIN_READ_EXTENSION } from './plainReadExtension.ts';

const CONFIG = parseConfig(
  `
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
      orderDate: { type: time, column: order_ts, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
    granularities: { fiscalQuarter: { interval: 3 months, origin: "2025-02-01" } }
    relations:
      regionInfo: { dataset: regions, on: { region: region } }
  regions:
    source: warehouse
    table: public.regions
    dimensions:
      region: { type: string }
      openedAt: { type: time }
    measures:
      stores: { sum: stores }
  labels:
    source: warehouse
    table: public.labels
    dimensions:
      label: { type: string }
fusions:
  salesByRegion:
    keys: { region: string }
    members:
      sales: { region: region }
      regions: { region: region }
`,
  { env: {} },
);
const SDL = buildTypeDefs(CONFIG);
const sales = CONFIG.datasets.sales!;

/** A schema whose sales field records the request and answers the given rows. */
function schemaAnswering(rows: Record<string, unknown>[] = []): { schema: GraphQLSchema; requests: DatasetRequest[] } {
  const requests: DatasetRequest[] = [];
  const rowResolvers = datasetResolvers(sales, CONFIG, async () => {
    throw new Error('not called');
  }, true).SalesRow!;
  const schema = makeExecutableSchema({
    typeDefs: SDL,
    resolvers: {
      Query: {
        sales: (_: unknown, args: Record<string, unknown>, __: unknown, info: GraphQLResolveInfo) => {
          requests.push(collectSelection(sales, args, info));
          return { rows, totals: { revenue: 1 } };
        },
      },
      SalesRow: rowResolvers,
    },
  });
  return { schema, requests };
}

async function run(query: string, variables: Record<string, unknown> = {}, rows: Record<string, unknown>[] = []) {
  const { schema, requests } = schemaAnswering(rows);
  const document = parse(query);
  const invalid = validate(schema, document);
  if (invalid.length > 0) throw new Error(invalid.map((e) => e.message).join('\n'));
  const result = await execute({ schema, document, variableValues: variables });
  return { result, request: requests[0] };
}

describe('SDL', () => {
  const schema = makeExecutableSchema({ typeDefs: SDL });
  const query = schema.getQueryType()!.getFields();

  it('gives each dataset field a compare argument; fusion fields keep their shape', () => {
    expect(query.sales!.args.map((a) => a.name)).toContain('compare');
    expect(String(query.sales!.args.find((a) => a.name === 'compare')!.type)).toBe('CompareInput');
    expect(query.salesByRegion!.args.map((a) => a.name)).not.toContain('compare');
    expect(SDL).toMatch(/input CompareInput \{\n {2}"The period compared with."\n {2}to: CompareTo!\n\}/);
    const compareTo = schema.getType('CompareTo');
    expect(isEnumType(compareTo) && compareTo.getValues().map((v) => [v.name, Boolean(v.description)])).toEqual([
      ['PREVIOUS_PERIOD', true],
      ['PREVIOUS_YEAR', true],
    ]);
  });

  it('a dataset with its own granularities gets its own enum for its time fields', () => {
    const g = schema.getType('SalesGranularity');
    expect(isEnumType(g) && g.getValues().map((v) => v.name)).toEqual(['SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR', 'fiscalQuarter']);
    const row = schema.getType('SalesRow');
    if (!isObjectType(row)) throw new Error('SalesRow');
    expect(row.getFields().orderDate!.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['granularity: SalesGranularity', 'fill: FillMode']);
    const regionsRow = schema.getType('RegionsRow');
    if (!isObjectType(regionsRow)) throw new Error('RegionsRow');
    expect(regionsRow.getFields().openedAt!.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['granularity: TimeGranularity', 'fill: FillMode']);
    expect(schema.getType('RegionsGranularity')).toBeUndefined();
    const fill = schema.getType('FillMode');
    expect(isEnumType(fill) && fill.getValues().map((v) => v.name)).toEqual(['ZERO', 'NULL', 'PREVIOUS']);
  });

  it('row measures take rolling (documented); totals measures do not; previous has every measure', () => {
    const row = schema.getType('SalesRow');
    const totals = schema.getType('SalesTotals');
    const previous = schema.getType('SalesPrevious');
    if (!isObjectType(row) || !isObjectType(totals) || !isObjectType(previous)) throw new Error('types');
    const rolling = row.getFields().revenue!.args[0]!;
    expect([rolling.name, String(rolling.type)]).toEqual(['rolling', 'String']);
    expect(rolling.description).toMatch(/^The measure over a window ending with this row's time bucket: "7d"/);
    expect(totals.getFields().revenue!.args).toEqual([]);
    expect(String(row.getFields().previous!.type)).toBe('SalesPrevious');
    expect(Object.keys(previous.getFields())).toEqual(['revenue', 'orders']);
    expect(row.getFields().calc!.description).toMatch(/total\(m\).*parent\(m, d1, \.\.\.\).*previous\.m/);
  });

  it('fusion rows and a dataset without measures have no previous', () => {
    const fusionRow = schema.getType('SalesByRegionRow');
    const labelsRow = schema.getType('LabelsRow');
    if (!isObjectType(fusionRow) || !isObjectType(labelsRow)) throw new Error('types');
    expect(fusionRow.getFields().previous).toBeUndefined();
    expect(fusionRow.getFields().revenue!.args).toEqual([]);
    expect(labelsRow.getFields().previous).toBeUndefined();
    expect(schema.getType('LabelsPrevious')).toBeUndefined();
    expect(getNamedType(query.labels!.type).name).toBe('LabelsResult');
  });
});

describe('collectSelection', () => {
  it('lifts the contract example into a request', async () => {
    const { request } = await run(`{ sales(where: { orderDate: { inRange: "last 3 months" } }, compare: { to: PREVIOUS_YEAR }) {
      rows { region month: orderDate(granularity: MONTH, fill: ZERO)
             revenue rolling: revenue(rolling: "3 MONTH")
             previous { revenue } growth: calc(expr: "revenue / previous.revenue - 1")
             share: calc(expr: "revenue / total(revenue)") } } }`);
    expect(request).toEqual({
      dataset: 'sales',
      rows: {
        dimensions: [
          { name: 'region', granularity: null },
          { name: 'orderDate', granularity: 'month', fill: 'zero' },
        ],
        measures: ['revenue'],
        calcs: ['revenue / previous.revenue - 1', 'revenue / total(revenue)'],
        rolling: [{ measure: 'revenue', window: '3 MONTH' }],
        previous: ['revenue'],
      },
      totals: null,
      where: { orderDate: { inRange: 'last 3 months' } },
      having: undefined,
      orderBy: undefined,
      limit: undefined,
      offset: undefined,
      compare: { to: 'previousYear' },
    });
    expect(needsAnalytics(request!)).toBe(true);
  });

  it('a plain selection gives the request it always gave (no analytics keys)', async () => {
    const { request } = await run('{ sales(limit: 5) { rows { region orderDate(granularity: WEEK) revenue } totals { orders } } }');
    expect(request).toEqual({
      dataset: 'sales',
      rows: { dimensions: [{ name: 'region', granularity: null }, { name: 'orderDate', granularity: 'week' }], measures: ['revenue'], calcs: [] },
      totals: { measures: ['orders'], calcs: [] },
      where: undefined,
      having: undefined,
      orderBy: undefined,
      limit: 5,
      offset: undefined,
    });
    expect(needsAnalytics(request!)).toBe(false);
  });

  it('a custom granularity is `custom` with granularity null; PREVIOUS_PERIOD and NULL/PREVIOUS fills map to their names', async () => {
    const { request } = await run('{ sales(compare: { to: PREVIOUS_PERIOD }) { rows { q: orderDate(granularity: fiscalQuarter, fill: PREVIOUS) d: orderDate(fill: NULL) } } }');
    expect(request!.rows!.dimensions).toEqual([
      { name: 'orderDate', granularity: null, custom: 'fiscalQuarter', fill: 'previous' },
      { name: 'orderDate', granularity: null, fill: 'null' },
    ]);
    expect(request!.compare).toEqual({ to: 'previousPeriod' });
  });

  it('a rolling measure is not also a plain one unless selected plainly', async () => {
    const { request } = await run('{ sales { rows { orderDate r7: revenue(rolling: "7d") r4w: revenue(rolling: "4 weeks") orders(rolling: null) } } }');
    expect(request!.rows!.measures).toEqual(['orders']);
    expect(request!.rows!.rolling).toEqual([
      { measure: 'revenue', window: '7d' },
      { measure: 'revenue', window: '4 weeks' },
    ]);
  });

  it('reads arguments, previous and calcs through variables, fragments, aliases and @skip/@include', async () => {
    const { request } = await run(
      `query($g: SalesGranularity, $fill: FillMode, $w: String, $to: CompareTo!, $skip: Boolean!, $calc: String!) {
        sales(compare: { to: $to }) { rows { ...dims ... on SalesRow { win: revenue(rolling: $w) } prev: previous { ...prevFields orders @skip(if: $skip) } regionInfo @skip(if: $skip) { stores } c: calc(expr: $calc) @include(if: true) } }
      }
      fragment dims on SalesRow { t: orderDate(granularity: $g, fill: $fill) }
      fragment prevFields on SalesPrevious { revenue again: revenue __typename }`,
      { g: 'fiscalQuarter', fill: 'ZERO', w: '2 month', to: 'PREVIOUS_YEAR', skip: true, calc: 'parent(revenue, orderDate)' },
    );
    expect(request!.rows).toEqual({
      dimensions: [{ name: 'orderDate', granularity: null, custom: 'fiscalQuarter', fill: 'zero' }],
      measures: [],
      calcs: ['parent(revenue, orderDate)'],
      rolling: [{ measure: 'revenue', window: '2 month' }],
      previous: ['revenue'],
    });
    expect(request!.compare).toEqual({ to: 'previousYear' });
  });

  it('checks calc analytics against the dataset', async () => {
    const { result } = await run('{ sales { rows { region calc(expr: "revenue / parent(revenue, regon)") } } }');
    expect(result.errors?.map((e) => e.message)).toEqual([
      'calc: unknown dimension "regon" at column 27 in "revenue / parent(revenue, regon)"; dimensions: channel, orderDate, region; did you mean "region"?',
    ]);
  });

  it('refuses rolling, previous and analytics calcs on related rows', async () => {
    for (const [query, message] of [
      ['{ sales { rows { regionInfo { stores(rolling: "7d") } } } }', 'stores(rolling:): rolling windows are available only on a dataset query\'s own rows, not here'],
      ['{ sales { rows { regionInfo { previous { stores } } } } }', "previous: the compared period is available only on a dataset query's own rows, not here"],
      ['{ sales { rows { regionInfo { openedAt(fill: ZERO) } } } }', "openedAt: fill is available only on a dataset query's own rows, not here"],
    ] as const) {
      // The relation resolver collects the related selection when it runs; call it as it would.
      const { schema } = schemaAnswering([{ region: 'EU' }]);
      const result = await execute({ schema, document: parse(query), contextValue: {} });
      expect(result.errors?.[0]?.message).toBe(message);
    }
  });
});

describe('where analytics do not apply', () => {
  it('refuses them on fusion fields and on the progressive subscription, which share the row types', async () => {
    const errors: string[] = [];
    const collect = (dataset: typeof sales) => (_: unknown, args: Record<string, unknown>, __: unknown, info: GraphQLResolveInfo) => {
      try {
        collectSelection(dataset, args, info);
      } catch (error) {
        errors.push((error as Error).message);
      }
      return null;
    };
    const schema = makeExecutableSchema({
      typeDefs: SDL,
      resolvers: { Query: { salesByRegion: collect(CONFIG.fusions.salesByRegion!.view) }, Subscription: { sales: { subscribe: (...a: Parameters<ReturnType<typeof collect>>) => (collect(sales)(...a), (async function* () {})()) } } },
    });
    await execute({ schema, document: parse('{ salesByRegion { rows { region c: calc(expr: "revenue / total(revenue)") } } }') });
    await subscribe({ schema, document: parse('subscription { sales { rows { orderDate revenue(rolling: "7d") } } }') });
    await subscribe({ schema, document: parse('subscription { sales { rows { orderDate(granularity: fiscalQuarter) } } }') });
    await subscribe({ schema, document: parse('subscription { sales { rows { previous { revenue } } } }') });
    expect(errors).toEqual([
      'calc: total() at column 11 is available only in calc(expr:) on dataset rows',
      "revenue(rolling:): rolling windows are available only on a dataset query's own rows, not here",
      "orderDate: granularity fiscalQuarter is available only on a dataset query's own rows, not here",
      "previous: the compared period is available only on a dataset query's own rows, not here",
    ]);
  });
});

describe('row resolvers', () => {
  it('read custom buckets, rolling keys and previous from analytics rows', async () => {
    const row = {
      'orderDate.fiscalquarter': '2025-02-01T00:00:00+00:00',
      'orderDate.month': '2025-03-01T00:00:00+00:00',
      revenue: 10,
      [rollingKey('revenue', '3 MONTH')]: 25,
      [rollingKey('revenue', '7d')]: null,
      [PREVIOUS_KEY]: { revenue: 8, orders: 2 },
      'previous.revenue': 8,
      'total(revenue)': 40,
    };
    const { result } = await run(
      '{ sales(compare: { to: PREVIOUS_YEAR }) { rows { q: orderDate(granularity: fiscalQuarter) m: orderDate(granularity: MONTH, fill: ZERO) revenue r: revenue(rolling: "3 month") w: revenue(rolling: "7d") orders previous { revenue orders } } } }',
      {},
      [row, { 'orderDate.month': '2025-04-01T00:00:00+00:00', revenue: 3 }],
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      sales: {
        rows: [
          { q: '2025-02-01T00:00:00+00:00', m: '2025-03-01T00:00:00+00:00', revenue: 10, r: 25, w: null, orders: null, previous: { revenue: 8, orders: 2 } },
          { q: null, m: '2025-04-01T00:00:00+00:00', revenue: 3, r: null, w: null, orders: null, previous: null },
        ],
      },
    });
  });
});

describe('compiled plain reads', () => {
  it('marks measure fields so compiled queries without rolling: read them inline (server/plugins/plainReads.ts)', () => {
    const row = schemaAnswering().schema.getType('SalesRow');
    if (!isObjectType(row)) throw new Error('SalesRow');
    expect(row.getFields().revenue!.extensions[PLAIN_READ_EXTENSION]).toBe('rolling');
    expect(row.getFields().previous!.extensions[PLAIN_READ_EXTENSION]).toBeUndefined();
  });
});

describe('needsAnalytics', () => {
  const plain: DatasetRequest = { dataset: 'sales', rows: { dimensions: [{ name: 'region', granularity: null }], measures: ['revenue'], calcs: ['revenue / 2'] }, totals: { measures: [], calcs: ['revenue * 2'] } };
  const rows = plain.rows!;
  it.each<[string, DatasetRequest, boolean]>([
    ['a plain request', plain, false],
    ['rows not selected', { ...plain, rows: null, totals: null }, false],
    ['compare', { ...plain, rows: null, compare: { to: 'previousYear' } }, true],
    ['a rolling measure', { ...plain, rows: { ...rows, rolling: [{ measure: 'revenue', window: '7d' }] } }, true],
    ['previous', { ...plain, rows: { ...rows, previous: ['revenue'] } }, true],
    ['empty rolling and previous', { ...plain, rows: { ...rows, rolling: [], previous: [] } }, false],
    ['fill', { ...plain, rows: { ...rows, dimensions: [{ name: 'orderDate', granularity: 'day', fill: 'zero' }] } }, true],
    ['a custom granularity', { ...plain, rows: { ...rows, dimensions: [{ name: 'orderDate', granularity: null, custom: 'fiscalQuarter' }] } }, true],
    ['null custom and fill', { ...plain, rows: { ...rows, dimensions: [{ name: 'orderDate', granularity: 'day', custom: null, fill: null }] } }, false],
    ['total() in a rows calc', { ...plain, rows: { ...rows, calcs: ['revenue / total(revenue)'] } }, true],
    ['parent() in a rows calc', { ...plain, rows: { ...rows, calcs: ['parent(revenue, region)'] } }, true],
    ['previous.m in a rows calc', { ...plain, rows: { ...rows, calcs: ['previous.revenue'] } }, true],
    ['total() in a totals calc', { ...plain, totals: { measures: [], calcs: ['total(revenue)'] } }, true],
  ])('%s', (_, request, expected) => {
    expect(needsAnalytics(request)).toBe(expected);
  });

  it('uses the parsed calcs when given', () => {
    const calcs = new Map([['revenue / 2', { kind: 'call', fn: 'total', args: [{ kind: 'ref', name: 'revenue', pos: 6 }], pos: 0 } as const]]);
    expect(needsAnalytics(plain, calcs)).toBe(true);
  });
});
