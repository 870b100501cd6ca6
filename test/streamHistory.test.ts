/**
 * History fields on stream rows, end to end over a real Kafka broker and a real Postgres:
 * stream `histOrders` lands 1-minute windows in Postgres (`histOrdersHistory`), and its rows
 * select `revenueLastWeek` / `ordersLastWeek` (offset 7d: the same key and window a week
 * earlier) and `revenuePrev3` (the key's revenue over the 3 windows before), with
 * `calc(expr: "revenue / revenueLastWeek")`.
 *
 * Last week's events (event times a week before the current ones, amounts in cents / 100)
 * are produced and landed first; then two graphql-ws FINAL subscriptions (one shared payload)
 * watch the current windows, produced one window at a time, each next window produced once
 * the landing table holds every window before the current one (so a window's previous
 * windows are landed when it closes: the value of `revenuePrev3` does not depend on how fast
 * the landing writer is). Every final window must equal a reference computed here from the
 * produced events, to the cent; a key with nothing landed reads null.
 *
 * Queries: the history dataset is asked once per window version and range (two ranges:
 * offset 7d, read by two fields, and the 3 previous windows), whatever the rows and the
 * subscribers, counted where the resolvers call the gateway.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant, type DatasetRequest } from '../planner/index.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { seededRandom } from './support/seededRandom.ts';
import { subscribeWs, type StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const admin = kafka ? await connectTestPostgres() : null;
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const TOPIC = `stream-history-${RUN}`;
const SCHEMA = 'tributary_stream_history';
const TABLE = `${SCHEMA}.hist_orders_1m`;
const KAFKA_MS = 60_000;
const MINUTE = 60_000;
const WEEK = 7 * 86_400_000;
/** The current windows: two days before now, on the hour (past times, well within maxSkew and the 30d retention). */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 86_400_000;
const WINDOWS = 7;
const REGIONS = ['east', 'north', 'south', 'west'] as const;

const CONFIG = (brokers: string) => `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets: {}
streams:
  histOrders:
    kafka: { brokers: "${brokers}", topic: "${TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    history:
      revenueLastWeek: { measure: revenue, offset: 7d }
      ordersLastWeek: { measure: orders, offset: 7d }
      revenuePrev3: { measure: revenue, previousWindows: 3 }
    grace: 2s
    retention: 30d
    landing: { source: warehouse, table: ${TABLE}, window: 1m }
`;

interface Event {
  readonly ts: number;
  readonly region: string;
  readonly cents: number;
}

const ROWS = 'region revenue orders revenueLastWeek ordersLastWeek revenuePrev3 ratio: calc(expr: "revenue / revenueLastWeek")';
/** No grouping, a where: the history of the filtered total (east and north together). */
const FILTERED = `subscription { histOrders(window: { tumble: "1m" }, emit: FINAL, where: { region: { in: ["east", "north"] } }) { start end final rows { revenue revenueLastWeek revenuePrev3 } } }`;
const FINAL = `subscription { histOrders(window: { tumble: "1m" }, emit: FINAL) { start end final rows { ${ROWS} } } }`;

/** Events of window `k` from `base`: `n` of them in order, the last at start + 50 s (it closes window k - 1 past its grace). */
function windowEvents(random: () => number, base: number, k: number, regions: readonly string[]): Event[] {
  const start = base + k * MINUTE;
  const n = 4 + Math.floor(random() * 6);
  const times = Array.from({ length: n - 1 }, () => start + Math.floor(random() * 50_000)).sort((a, b) => a - b);
  return [...times, start + 50_000].map((ts) => ({ ts, region: regions[Math.floor(random() * regions.length)]!, cents: 1 + Math.floor(random() * 99_999) }));
}

const message = (e: Event) => JSON.stringify({ ts: e.ts, region: e.region, amount: e.cents / 100 });

/** Cents and count per (window start, region). */
function totals(events: readonly Event[]): Map<string, { cents: number; orders: number }> {
  const out = new Map<string, { cents: number; orders: number }>();
  for (const e of events) {
    const key = `${Math.floor(e.ts / MINUTE) * MINUTE}|${e.region}`;
    const t = out.get(key) ?? { cents: 0, orders: 0 };
    out.set(key, { cents: t.cents + e.cents, orders: t.orders + 1 });
  }
  return out;
}

describe.skipIf(!kafka || !admin)('stream history fields: landed history per row key, one query per window version and range', () => {
  let gw: TestGateway;
  let producer: Producer;
  let offset = 0;
  const open: StreamRecording[] = [];
  /** histOrdersHistory answers by range (the windowStart bounds of the request). */
  const historyQueries: string[] = [];

  const landedWindowsBefore = async (from: number, to: number) =>
    Number((await admin!.query(`select count(distinct window_start)::int as n from ${TABLE} where window_start >= $1 and window_start < $2`, [new Date(from), new Date(to)])).rows[0].n);

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    const client = testKafkaClient(kafka!.brokers);
    await createTopics(client, [TOPIC]);
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG(kafka!.brokers));
    const answer = gw.gateway.answer;
    gw.gateway.answer = (request: DatasetRequest, options = {}) => {
      if (request.dataset === 'histOrdersHistory') historyQueries.push(JSON.stringify(request.where));
      return answer(request, options);
    };
  });

  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await gw?.close();
    await producer?.disconnect();
    await kafka?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('final windows equal the reference: this window, the same window last week, the 3 windows before, and calc over them', async () => {
    const random = seededRandom(29);
    // Last week: west has no events at all (its last-week fields are null), south only in some windows.
    const lastWeek = Array.from({ length: WINDOWS }, (_, k) => windowEvents(random, T0 - WEEK, k, k % 2 === 0 ? ['east', 'north', 'south'] : ['east', 'north'])).flat();
    // Closes every last-week window in the landing writer (and stays open itself, far from the ranges read).
    const lastWeekCloser: Event = { ts: T0 - WEEK + (WINDOWS + 5) * MINUTE, region: 'east', cents: 100 };
    offset = await produceInOrder(producer, TOPIC, [...lastWeek, lastWeekCloser].map(message), offset);
    await waitFor('last week landed', async () => (await landedWindowsBefore(T0 - WEEK, T0 - WEEK + WINDOWS * MINUTE)) === WINDOWS, KAFKA_MS);

    const a = subscribeWs(gw.server.url, 'histOrders', { query: FINAL });
    const b = subscribeWs(gw.server.url, 'histOrders', { query: FINAL });
    const c = subscribeWs(gw.server.url, 'histOrders', { query: FILTERED });
    open.push(a, b, c);
    await waitFor('3 subscribers of histOrders', async () => (await readMetric(gw, 'tributary_subscribers', { stream: 'histOrders' })) === 3, KAFKA_MS);

    const current: Event[] = [];
    for (let k = 0; k < WINDOWS; k++) {
      const events = windowEvents(random, T0, k, REGIONS);
      current.push(...events);
      offset = await produceInOrder(producer, TOPIC, events.map(message), offset);
      // Window k - 1 closed with this batch: wait until it (and every one before it) is landed.
      await waitFor(`current windows before ${k} landed`, async () => (await landedWindowsBefore(T0, T0 + k * MINUTE)) === k, KAFKA_MS);
    }
    offset = await produceInOrder(producer, TOPIC, [message({ ts: T0 + WINDOWS * MINUTE + 30_000, region: 'east', cents: 1 })], offset);
    // Windows of last week still open in the operator when it started close too, before the current ones.
    const currentFinals = (r: StreamRecording) => r.finals().filter((v) => Date.parse(v.start) >= T0);
    for (const r of [a, b, c]) await waitFor(`${WINDOWS} current final windows`, () => r.errors.length > 0 || currentFinals(r).length >= WINDOWS, KAFKA_MS);
    for (const r of [a, b, c]) expect(r.errors).toEqual([]);

    const now = totals(current);
    const before = totals(lastWeek);
    const expected = Array.from({ length: WINDOWS }, (_, k) => {
      const start = T0 + k * MINUTE;
      const rows = REGIONS.filter((region) => now.has(`${start}|${region}`)).map((region) => {
        const mine = now.get(`${start}|${region}`)!;
        const week = before.get(`${start - WEEK}|${region}`);
        const previous = [1, 2, 3].map((j) => now.get(`${start - j * MINUTE}|${region}`)).filter((t) => t !== undefined);
        return {
          region,
          revenue: mine.cents / 100,
          orders: mine.orders,
          revenueLastWeek: week ? week.cents / 100 : null,
          ordersLastWeek: week ? week.orders : null,
          // Postgres adds the landed doubles of up to 3 windows; the gateway's answer is still the exact decimal.
          revenuePrev3: previous.length > 0 ? previous.reduce((n, t) => n + t.cents, 0) / 100 : null,
          ratio: week ? mine.cents / week.cents : null,
        };
      });
      return { start: formatInstant(start, 'UTC'), end: formatInstant(start + MINUTE, 'UTC'), rows };
    });
    // Sanity of the fixture: every kind of value occurs (a null last week, a null and a partial previous range).
    const all = expected.flatMap((w) => w.rows);
    expect(all.some((r) => r.revenueLastWeek === null) && all.some((r) => r.revenueLastWeek !== null)).toBe(true);
    expect(all.some((r) => r.revenuePrev3 === null) && all.some((r) => r.revenuePrev3 !== null)).toBe(true);

    for (const r of [a, b]) {
      const got = currentFinals(r).map((v) => ({
          start: v.start,
          end: v.end,
          rows: [...v.rows]
            .sort((x, y) => String(x.region).localeCompare(String(y.region)))
            .map(({ region, revenue, orders, revenueLastWeek, ordersLastWeek, revenuePrev3, ratio }) => ({ region, revenue, orders, revenueLastWeek, ordersLastWeek, revenuePrev3, ratio })),
        }));
      const withoutRatio = <T extends { rows: { ratio: unknown }[] }>(ws: T[]) => ws.map((w) => ({ ...w, rows: w.rows.map(({ ratio: _, ...row }) => row) }));
      expect(withoutRatio(got)).toEqual(withoutRatio(expected));
      // calc divides the two exact decimals: the nearest double of the cents' ratio, or null without last week.
      got.forEach((w, i) =>
        w.rows.forEach((row, j) => {
          const ratio = expected[i]!.rows[j]!.ratio;
          if (ratio === null) expect(row.ratio).toBeNull();
          else expect(row.ratio as number).toBeCloseTo(ratio, 12);
        }),
      );
    }

    // The filtered total: the where applies to the history too.
    const inFilter = (e: Event) => e.region === 'east' || e.region === 'north';
    const centsIn = (events: readonly Event[], from: number, to: number) => {
      const chosen = events.filter((e) => inFilter(e) && e.ts >= from && e.ts < to);
      return chosen.length === 0 ? null : chosen.reduce((n, e) => n + e.cents, 0);
    };
    const filtered = Array.from({ length: WINDOWS }, (_, k) => {
      const start = T0 + k * MINUTE;
      const mine = centsIn(current, start, start + MINUTE);
      const week = centsIn(lastWeek, start - WEEK, start + MINUTE - WEEK);
      const previous = centsIn(current, start - 3 * MINUTE, start);
      return { start: formatInstant(start, 'UTC'), rows: mine === null ? [] : [{ revenue: mine / 100, revenueLastWeek: week === null ? null : week / 100, revenuePrev3: previous === null ? null : previous / 100 }] };
    });
    // Sums over two keys (and three windows) of landed doubles: exact decimals all the same.
    expect(currentFinals(c).map((v) => ({ start: v.start, rows: v.rows }))).toEqual(filtered);

    // One query per window version and range: 2 ranges per version, however many rows and subscribers.
    const versions = a.finals().length;
    const rows = a.finals().reduce((n, v) => n + v.rows.length, 0);
    console.log(
      `stream history: ${versions} window versions (${versions - WINDOWS} of last week) with ${rows} rows for 2 subscribers of one shape, ` +
        `${c.finals().length} versions of a filtered total: ${historyQueries.length} history queries`,
    );
    expect(rows).toBeGreaterThan(versions * 2);
    // A version without rows asks nothing.
    const withRows = (r: StreamRecording) => r.finals().filter((v) => v.rows.length > 0).length;
    expect(historyQueries.length).toBe((withRows(a) + withRows(c)) * 2);
    // The first current window's same window last week was asked once for both subscribers of one shape and all its rows (and once for the filtered total).
    const range = JSON.stringify({ windowStart: { gte: new Date(T0 - WEEK).toISOString(), lt: new Date(T0 - WEEK + MINUTE).toISOString() } });
    expect(historyQueries.filter((w) => w === range)).toHaveLength(1);
    expect(historyQueries.filter((w) => w.includes(range.slice(1, -1)) && w !== range)).toHaveLength(1);
  });

  it('a failing history query is an error of the history fields only (masked, no SQL): the rows and the stream go on', async () => {
    const subscribers = await readMetric(gw, 'tributary_subscribers', { stream: 'histOrders' });
    const r = subscribeWs(gw.server.url, 'histOrders', { query: 'subscription { histOrders(window: { tumble: "1m" }, emit: FINAL) { start final rows { region revenue revenueLastWeek } } }' });
    open.push(r);
    await waitFor('one more subscriber', async () => (await readMetric(gw, 'tributary_subscribers', { stream: 'histOrders' })) === subscribers + 1, KAFKA_MS);
    // The history dataset's revenue column is gone: its queries fail in Postgres (the landing writer retries meanwhile).
    await admin!.query(`alter table ${TABLE} rename column revenue_sum to revenue_sum_gone`);
    const startOf = (k: number) => formatInstant(T0 + k * MINUTE, 'UTC');
    try {
      const events: Event[] = [
        { ts: T0 + (WINDOWS + 1) * MINUTE + 10_000, region: 'north', cents: 250 },
        { ts: T0 + (WINDOWS + 2) * MINUTE + 10_000, region: 'south', cents: 125 },
        { ts: T0 + (WINDOWS + 3) * MINUTE + 10_000, region: 'east', cents: 1 },
      ];
      offset = await produceInOrder(producer, TOPIC, events.map(message), offset);
      await waitFor('the finals of the two windows', () => r.finals().some((v) => v.start === startOf(WINDOWS + 2)), KAFKA_MS);
    } finally {
      await admin!.query(`alter table ${TABLE} rename column revenue_sum_gone to revenue_sum`);
    }
    const rowsOf = (k: number) => r.finals().find((v) => v.start === startOf(k))?.rows;
    expect(rowsOf(WINDOWS + 1)).toEqual([{ region: 'north', revenue: 2.5, revenueLastWeek: null }]);
    expect(rowsOf(WINDOWS + 2)).toEqual([{ region: 'south', revenue: 1.25, revenueLastWeek: null }]);
    const errors = r.errors.flat() as { message: string; path?: unknown[]; extensions?: { code?: string } }[];
    expect(errors.length).toBeGreaterThanOrEqual(2); // one per version (the window before these may have one too)
    for (const e of errors) {
      expect([e.extensions?.code, e.path]).toEqual(['SOURCE_ERROR', ['histOrders', 'rows', 0, 'revenueLastWeek']]);
      expect(e.message).not.toMatch(/select|revenue_sum|column/i);
    }
  });

  it('a window that is not a whole number of landing windows (or a session) is BAD_USER_INPUT naming the field and the landing window', async () => {
    for (const window of ['tumble: "90s"', 'hop: { size: "2m", advance: "30s" }', 'session: { gap: "1m" }']) {
      const r = subscribeWs(gw.server.url, 'histOrders', { query: `subscription { histOrders(window: { ${window} }) { rows { region ratio: calc(expr: "revenue / revenueLastWeek") } } }` });
      open.push(r);
      await waitFor(`an error for ${window}`, () => r.errors.length > 0, KAFKA_MS);
      const [error] = (r.errors[0] as { message: string; extensions?: { code?: string } }[]) ?? [];
      expect(error?.extensions?.code, window).toBe('BAD_USER_INPUT');
      expect(error?.message, window).toContain('revenueLastWeek: history fields need a tumble or hop window whose size (and advance) is a whole number of histOrders\'s landing window (60000 ms)');
      expect(r.versions).toEqual([]);
    }
    // A window of whole landing windows without history fields is not refused.
    const subscribers = await readMetric(gw, 'tributary_subscribers', { stream: 'histOrders' });
    const plain = subscribeWs(gw.server.url, 'histOrders', { query: 'subscription { histOrders(window: { tumble: "90s" }) { rows { region revenue } } }' });
    open.push(plain);
    await waitFor('the plain subscriber', async () => (await readMetric(gw, 'tributary_subscribers', { stream: 'histOrders' })) === subscribers + 1, KAFKA_MS);
    expect(plain.errors).toEqual([]);
  });
});
