import { buildSchema, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { roleView } from '../security/index.ts';
import { buildTypeDefs, parseConfig } from './index.ts';

const STREAMS = `
sources: {}
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, n: { count: "*" } }
  shipments:
    kafka: { brokers: "", topic: s }
    dimensions: { area: { type: string }, express: { type: boolean } }
    measures: { shipped: { count: "*" } }
`;
const FUSION = `
streamFusions:
  ordersVsShipments:
    join: left
    keys: { region: string }
    members: { orders: { region: region }, shipments: { region: area } }
    idleTimeout: 15s
`;

function errorLines(yaml: string): string[] {
  try {
    parseConfig(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as ConfigErrors).errors.map((e) => e.message);
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

describe('streamFusions: config', () => {
  it('builds the view: keys as dimensions, every member measure, its join and idle timeout', () => {
    const f = parseConfig(STREAMS + FUSION).streamFusions.ordersVsShipments!;
    expect(f.join).toBe('left');
    expect(f.idleTimeoutMs).toBe(15_000);
    expect(Object.keys(f.view.dimensions)).toEqual(['region']);
    expect(f.measureMember).toEqual({ revenue: 'orders', n: 'orders', shipped: 'shipments' });
  });

  it.each<[string, string, string]>([
    ['an unknown member stream', FUSION.replace('shipments: { region: area }', 'shipmnts: { region: area }'), 'streamFusions.ordersVsShipments.members.shipmnts: unknown stream "shipmnts"; defined streams: orders, shipments'],
    ['a key on a missing dimension', FUSION.replace('region: area', 'region: zone'), 'streamFusions.ordersVsShipments.members.shipments.region: "zone" is not a dimension of shipments; it has area, express'],
    ['a key of another type', FUSION.replace('region: area', 'region: express'), 'streamFusions.ordersVsShipments.members.shipments.region: key "region" is string but shipments.express is boolean'],
    ['a key a member does not map', FUSION.replace('shipments: { region: area }', 'shipments: {}'), 'streamFusions.ordersVsShipments.members.shipments: no dimension given for key "region"; write region: <dimension of shipments>'],
    ['a time key', FUSION.replace('keys: { region: string }', 'keys: { region: time }'), 'streamFusions.ordersVsShipments.keys.region: expected a key type: string, number or boolean (stream dimensions have no time type), got "time"'],
    ['one member', FUSION.replace(', shipments: { region: area }', ''), 'streamFusions.ordersVsShipments.members: expected at least two member streams'],
  ])('%s is an error naming the path and the fix', (_, fusion, message) => {
    expect(errorLines(STREAMS + fusion)).toContain(message);
  });

  it('refuses a measure name in two members, and members in two time zones', () => {
    const twice = STREAMS.replace('measures: { shipped: { count: "*" } }', 'measures: { n: { count: "*" } }\n    timezone: Europe/Paris');
    expect(errorLines(twice + FUSION)).toEqual([
      'streamFusions.ordersVsShipments.members.shipments: members print window bounds in one time zone; shipments uses Europe/Paris, orders UTC: set the same timezone on both streams',
      'streamFusions.ordersVsShipments.members.shipments: measure "n" is in both orders and shipments; fused measures need distinct names (rename one in its stream)',
    ]);
  });
});

describe('streamFusions: roles', () => {
  const AUTH = 'auth: { jwt: { secret: "a-secret-that-is-at-least-32-bytes-long" } }\n';
  it('a grant of a stream fusion needs its member streams, and takes no rows', () => {
    expect(errorLines(`${AUTH}roles: { r: { ordersVsShipments: { rows: { region: { eq: x } } }, orders: {} } }\n${STREAMS}${FUSION}`)).toEqual([
      "roles.r.ordersVsShipments.rows: a fusion's rows come from its members' grants; set rows on each member (dataset or stream) instead",
      'roles.r.ordersVsShipments: fusion member "shipments" is not granted to role r; grant it (its rows policy applies to the fusion) or remove the fusion',
    ]);
  });

  it("a role sees the fusion's keys and measures only where its member grants show them", () => {
    const config = parseConfig(`${AUTH}roles: { r: { ordersVsShipments: {}, orders: { members: [region, n] }, shipments: {} } }\n${STREAMS}${FUSION}`);
    const view = roleView(config, config.roles.r!);
    const schema = buildSchema(buildTypeDefs(view));
    const row = schema.getType('OrdersVsShipmentsRow') as GraphQLObjectType;
    expect(Object.keys(row.getFields()).sort()).toEqual(['calc', 'n', 'region', 'shipped']);
    expect(schema.getSubscriptionType()!.getFields().ordersVsShipments).toBeDefined();
    const hidden = parseConfig(`${AUTH}roles: { r: { ordersVsShipments: {}, orders: { members: [channel, n] }, shipments: {} } }\n${STREAMS}${FUSION}`);
    const keyless = buildSchema(buildTypeDefs(roleView(hidden, hidden.roles.r!)));
    expect(Object.keys((keyless.getType('OrdersVsShipmentsRow') as GraphQLObjectType).getFields()).sort()).toEqual(['calc', 'n', 'shipped']);
  });
});
