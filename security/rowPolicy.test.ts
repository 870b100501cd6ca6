import { describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import type { Access } from './Access.ts';
import { rowPolicy } from './rowPolicy.ts';

const config = parseConfig(`
auth: { jwt: { secret: "a-secret-that-is-at-least-32-bytes-long" } }
roles:
  admin: "*"
  tenant: { sales: { rows: { region: { in: "$claims.regions" }, quantity: { lte: "$claims.max" } } }, orders: { rows: { region: { eq: "$claims.home" } } } }
  viewer: { sales: {} }
sources: { wh: { kind: postgres, url: "postgres://u@h/db" } }
datasets:
  sales: { source: wh, table: t, dimensions: { region: { type: string }, quantity: { type: number } }, measures: { n: { count: "*" } } }
  other: { source: wh, table: o, dimensions: { region: { type: string } } }
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string } }
    measures: { n: { count: "*" } }
    landing: { source: wh, table: orders_1m }
`);
const as = (role: string, claims: Record<string, unknown> = {}): Access => ({ role: config.roles[role]!, claims });
const DENY = [{ kind: 'const', value: false }];

describe('rowPolicy', () => {
  it('is empty on an open gateway and for a "*" role', () => {
    expect(rowPolicy(undefined, config.datasets.sales!, config)).toEqual([]);
    expect(rowPolicy(as('admin'), config.datasets.sales!, config)).toEqual([]);
  });

  it("binds the claims and normalizes the role's policy", () => {
    expect(rowPolicy(as('tenant', { regions: ['West', 'East', 'West'], max: 5 }), config.datasets.sales!, config)).toEqual([
      {
        kind: 'and',
        args: [
          { kind: 'compare', field: 'quantity', op: 'lte', value: 5 },
          { kind: 'in', field: 'region', values: ['East', 'West'], negated: false },
        ],
      },
    ]);
  });

  it('denies on a missing claim, a claim of the wrong type, or no grant', () => {
    expect(rowPolicy(as('tenant', { regions: ['East'] }), config.datasets.sales!, config)).toEqual(DENY);
    expect(rowPolicy(as('tenant', { regions: ['East'], max: 'lots' }), config.datasets.sales!, config)).toEqual(DENY);
    expect(rowPolicy(as('tenant', { regions: 'East', max: 1 }), config.datasets.sales!, config)).toEqual(DENY);
    expect(rowPolicy(as('viewer'), config.datasets.other!, config)).toEqual(DENY);
  });

  it('a grant without rows sees every row', () => {
    expect(rowPolicy(as('viewer'), config.datasets.sales!, config)).toEqual([]);
  });

  it("applies a stream's grant to its subscriptions and to its landing dataset", () => {
    const home = [{ kind: 'compare', field: 'region', op: 'eq', value: 'North' }];
    expect(rowPolicy(as('tenant', { home: 'North' }), config.streams.orders!.view, config)).toEqual(home);
    expect(rowPolicy(as('tenant', { home: 'North' }), config.datasets.ordersHistory!, config)).toEqual(home);
    expect(rowPolicy(as('viewer'), config.datasets.ordersHistory!, config)).toEqual(DENY);
  });
});
