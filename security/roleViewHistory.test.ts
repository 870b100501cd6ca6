import { describe, expect, it } from 'vitest';
import { buildTypeDefs, parseConfig } from '../schema/index.ts';
import { roleView } from './roleView.ts';

const config = parseConfig(`
auth: { jwt: { secret: "a-secret-that-is-at-least-32-bytes-long" } }
roles:
  admin: "*"
  counts:
    orders: { members: [region, n] }
  everything:
    orders: {}
  ownHistoryGrant:
    orders: {}
    ordersHistory: { members: [windowStart, region, n] }
sources: { wh: { kind: postgres, url: "postgres://u@h/db" } }
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string } }
    measures: { n: { count: "*" }, revenue: { sum: amount } }
    landing: { source: wh, table: orders_1m }
    history:
      nLastWeek: { measure: n, offset: 7d }
      revenueLastWeek: { measure: revenue, offset: 7d }
`);

const historyOf = (role: string) => Object.keys(roleView(config, config.roles[role]!).streams.orders!.history);

describe('roleView: stream history fields', () => {
  it('a history field is visible only where its measure is, in the stream grant and in the history dataset', () => {
    expect(historyOf('admin')).toEqual(['nLastWeek', 'revenueLastWeek']);
    expect(historyOf('everything')).toEqual(['nLastWeek', 'revenueLastWeek']);
    // revenue is hidden by the stream grant (which also covers ordersHistory).
    expect(historyOf('counts')).toEqual(['nLastWeek']);
    // The stream shows revenue, but the role's own grant on ordersHistory hides it.
    expect(historyOf('ownHistoryGrant')).toEqual(['nLastWeek']);
  });

  it('the role\'s schema has only the visible history fields', () => {
    const sdl = buildTypeDefs(roleView(config, config.roles.counts!));
    expect(sdl).toMatch(/type OrdersRow \{[^}]*\n {2}nLastWeek: Float\n/);
    expect(sdl).not.toMatch(/revenueLastWeek/);
  });
});
