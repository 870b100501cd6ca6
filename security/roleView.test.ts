import { buildSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildTypeDefs, parseConfig } from '../schema/index.ts';
import { roleView } from './roleView.ts';

const config = parseConfig(`
auth: { jwt: { secret: "a-secret-that-is-at-least-32-bytes-long" } }
roles:
  admin: "*"
  analyst:
    sales: { members: [region, revenue] }
    targets: {}
    salesVsTargets: {}
    orders: { members: [region, n] }
  narrow:
    sales: { members: [channel, revenue] }
    regions: {}
sources: { wh: { kind: postgres, url: "postgres://u@h/db" } }
datasets:
  sales:
    source: wh
    table: t
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, cost: { sum: cost } }
    relations: { regionInfo: { dataset: regions, on: { region: region } } }
  targets: { source: wh, table: g, dimensions: { region: { type: string } }, measures: { target: { sum: target } } }
  regions: { source: wh, table: r, dimensions: { region: { type: string }, manager: { type: string } } }
fusions:
  salesVsTargets:
    keys: { region: string }
    members: { sales: { region: region }, targets: { region: region } }
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { n: { count: "*" } }
    landing: { source: wh, table: orders_1m }
`);

const fields = (view: ReturnType<typeof roleView>, name: string) => {
  const d = view.datasets[name] ?? view.fusions[name]?.view ?? view.streams[name]?.view;
  return d && [...Object.keys(d.dimensions), ...Object.keys(d.measures)];
};

describe('roleView', () => {
  it('a "*" role sees the whole config', () => {
    expect(roleView(config, config.roles.admin!)).toBe(config);
  });

  it('keeps only granted datasets, fusions and streams, each with its visible members', () => {
    const view = roleView(config, config.roles.analyst!);
    expect(Object.keys(view.datasets).sort()).toEqual(['ordersHistory', 'sales', 'targets']);
    expect(fields(view, 'sales')).toEqual(['region', 'revenue']);
    expect(fields(view, 'orders')).toEqual(['region', 'n']);
    // The landing dataset falls under the stream's grant and keeps its window time.
    expect(fields(view, 'ordersHistory')).toEqual(['windowStart', 'region', 'n']);
    // A fused measure is visible only where its member's grant shows it: cost is not.
    expect(fields(view, 'salesVsTargets')).toEqual(['region', 'revenue', 'target']);
  });

  it('drops relations whose target or keys the role cannot see', () => {
    expect(Object.keys(roleView(config, config.roles.analyst!).datasets.sales!.relations)).toEqual([]); // regions not granted
    expect(Object.keys(roleView(config, config.roles.narrow!).datasets.sales!.relations)).toEqual([]); // region key hidden
  });

  it('builds a valid schema that names nothing the role cannot see', () => {
    const sdl = buildTypeDefs(roleView(config, config.roles.narrow!));
    expect(sdl).not.toMatch(/\bcost\b|\btargets\b|salesVsTargets|\borders\b/);
    expect(() => buildSchema(sdl)).not.toThrow();
    // Its subscriptions are the progressive answers of the datasets it sees; no stream.
    expect(Object.keys(buildSchema(sdl).getSubscriptionType()!.getFields()).sort()).toEqual(Object.keys(roleView(config, config.roles.narrow!).datasets).sort());
  });
});

describe('roleView: relations on stream rows', () => {
  const withRelation = parseConfig(`
auth: { jwt: { secret: "a-secret-that-is-at-least-32-bytes-long" } }
roles:
  keeper: { orders: {}, regions: {} }
  noTarget: { orders: {} }
  hiddenKey: { orders: { members: [channel, n] }, regions: {} }
  hiddenTargetKey: { orders: {}, regions: { members: [manager] } }
sources: { wh: { kind: postgres, url: "postgres://u@h/db" } }
datasets:
  regions: { source: wh, table: r, dimensions: { region: { type: string }, manager: { type: string } } }
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { n: { count: "*" } }
    relations: { regionInfo: { dataset: regions, on: { region: region } } }
`);
  const relationsOf = (role: string) => Object.keys(roleView(withRelation, withRelation.roles[role]!).streams.orders!.view.relations);

  it.each([
    ['keeper', ['regionInfo']],
    ['noTarget', []], // regions not granted
    ['hiddenKey', []], // the stream's region is hidden
    ['hiddenTargetKey', []], // regions.region is hidden
  ])('%s sees relations %j', (role, expected) => {
    expect(relationsOf(role)).toEqual(expected);
  });

  it('the schema of each role is valid, with the relation field only where it is kept', () => {
    for (const role of Object.keys(withRelation.roles)) {
      const schema = buildSchema(buildTypeDefs(roleView(withRelation, withRelation.roles[role]!)));
      const row = schema.getType('OrdersRow') as GraphQLObjectType;
      expect(Boolean(row.getFields().regionInfo), role).toBe(role === 'keeper');
    }
  });
});
