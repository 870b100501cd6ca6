import { describe, expect, it } from 'vitest';
import { ConfigErrors } from '../errors/index.ts';
import { buildTypeDefs, parseConfig } from './index.ts';

/** A stream `orders` landed in 1-minute windows (unless `landing` says otherwise), with the given `history:` entries. */
const config = (history: string, landing = '    landing: { source: wh, table: orders_1m, window: 1m }') => `
sources: { wh: { kind: postgres, url: "postgres://u@h/db" } }
datasets: {}
streams:
  orders:
    kafka: { brokers: "", topic: o }
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, avgAmount: { avg: amount }, buyers: { countDistinct: buyer } }
    relations: { info: { dataset: ordersHistory, on: { region: region } } }
${landing}
    history:
${history}
`;

function errorLines(yaml: string): string[] {
  try {
    parseConfig(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigErrors);
    return (error as ConfigErrors).message.split('\n').filter((l) => l.startsWith('  - ')).map((l) => l.slice(4));
  }
  throw new Error('expected ConfigErrors, but the config was accepted');
}

describe('stream history fields in the config', () => {
  it.each([
    ['no landing', '      lastWeek: { measure: revenue, offset: 7d }', 'streams.orders.history.lastWeek: history fields read the landed windows: add landing: { source, table, window } to the stream, or remove history:', ''],
    ['unknown measure', '      lastWeek: { measure: profit, offset: 7d }', 'streams.orders.history.lastWeek.measure: unknown measure "profit"; expected one of the stream\'s measures: revenue, orders, avgAmount, buyers'],
    ['avg is not landed', '      lastWeek: { measure: avgAmount, offset: 7d }', 'streams.orders.history.lastWeek.measure: avgAmount is an avg, which ordersHistory does not re-aggregate (use history fields of its sum and count measures and divide them with calc); expected one of revenue, orders'],
    ['countDistinct is not landed', '      lastWeek: { measure: buyers, offset: 7d }', 'streams.orders.history.lastWeek.measure: buyers is a countDistinct, which ordersHistory does not re-aggregate (distinct sets are not landed); expected one of revenue, orders'],
    ['offset not whole landing windows', '      lastWeek: { measure: revenue, offset: 90s }', 'streams.orders.history.lastWeek.offset: expected a positive whole number of landing windows (landing.window is 60000 ms), such as 1d or 7d; got 90s'],
    ['both offset and previousWindows', '      lastWeek: { measure: revenue, offset: 7d, previousWindows: 3 }', 'streams.orders.history.lastWeek: expected exactly one of offset: (such as 7d) or previousWindows: (such as 3)'],
    ['neither', '      lastWeek: { measure: revenue }', 'streams.orders.history.lastWeek: expected exactly one of offset: (such as 7d) or previousWindows: (such as 3)'],
    ['too many windows', '      recent: { measure: revenue, previousWindows: 1001 }', 'streams.orders.history.recent.previousWindows: expected at most 1000 windows, got 1001'],
    ['a dimension\'s name', '      region: { measure: revenue, offset: 7d }', 'streams.orders.history.region: "region" is also a dimension of the stream\'s rows; rename the history field'],
    ['a measure\'s name', '      orders: { measure: revenue, offset: 7d }', 'streams.orders.history.orders: "orders" is also a measure of the stream\'s rows; rename the history field'],
    ['a relation\'s name', '      info: { measure: revenue, offset: 7d }', 'streams.orders.history.info: "info" is also a relation of the stream\'s rows; rename the history field'],
    ['calc', '      calc: { measure: revenue, offset: 7d }', 'streams.orders.history.calc: "calc" is also the calc field of the stream\'s rows; rename the history field'],
  ])('%s', (_, history, line, landing?: string) => {
    expect(errorLines(landing === undefined ? config(history) : config(history, landing))).toContain(line);
  });

  it('valid fields are Float fields of the stream row, with what they read in their doc', () => {
    const valid = parseConfig(config('      revenueLastWeek: { measure: revenue, offset: 7d }\n      recentOrders: { measure: orders, previousWindows: 3 }'));
    expect(valid.streams.orders!.history).toEqual({
      revenueLastWeek: { name: 'revenueLastWeek', measure: 'revenue', offsetMs: 604_800_000, previousWindows: null },
      recentOrders: { name: 'recentOrders', measure: 'orders', offsetMs: null, previousWindows: 3 },
    });
    const sdl = buildTypeDefs(valid);
    expect(sdl).toMatch(/type OrdersRow \{[^}]*\n {2}revenueLastWeek: Float\n/);
    expect(sdl).toMatch(/"orders of this row's key over the 3 windows before this one \(as long as this window each\), from ordersHistory; null where nothing was landed\. Queried once per window version\."\n {2}recentOrders: Float/);
  });
});
