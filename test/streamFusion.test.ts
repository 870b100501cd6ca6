/**
 * Stream fusions end to end over a real Kafka broker: orders (fast: ten events per second
 * of event time, grace 2 s) and shipments (slow: about one per 700 ms, grace 1 s) on two
 * topics, joined on region per 10-second window. Both carry events stamped behind their
 * stream time within grace (counted) and a few beyond it (dropped).
 *
 * - Event-time synchronization: a fused window closes only once both members' stream times
 *   passed its end plus their grace; the final versions of the windows shipments covers say
 *   so (`idle` empty, each member's time at or past end + grace).
 * - Idleness: shipments then stops. Orders run on to 65 s; after idleTimeout the windows
 *   orders passed close without shipments, with its partial rows and `idle: [fShipments]`.
 * - Every final window equals a reference computed here from the produced events (each
 *   member's lateness applied in its arrival order, then a full join); an inner fusion with
 *   where, orderBy, limit and a calc across members equals the same reference filtered.
 * - Multiplexing: identical subscriptions (two graphql-ws, one SSE with CHANGES) share one
 *   fused operator and see the same finals; leaving removes the operator and its taps.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../planner/index.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { readMetric } from './support/readMetric.ts';
import { waitForFinals, subscribeSse, subscribeWs, type StreamRecording, type WindowVersion } from './support/streamClients.ts';
import { seededRandom, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const ORDERS = `fusion-orders-${RUN}`;
const SHIPMENTS = `fusion-shipments-${RUN}`;
const KAFKA_MS = 60_000;
const IDLE_MS = 8_000;
/** 2025-06-01T00:00:00Z: event times in the past (maxSkew never applies), aligned to the windows. */
const BASE = Date.UTC(2025, 5, 1);
const SIZE = 10_000;
const GRACE = { orders: 2_000, shipments: 1_000 } as const;
const REGIONS = ['east', 'north', 'south', 'west'] as const;

const CONFIG = (brokers: string) => `
sources: {}
datasets: {}
streams:
  fOrders:
    kafka: { brokers: "${brokers}", topic: "${ORDERS}" }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    grace: 2s
  fShipments:
    kafka: { brokers: "${brokers}", topic: "${SHIPMENTS}" }
    timestamp: ts
    dimensions: { area: { type: string } }
    measures: { shipped: { count: "*" }, weight: { sum: kg } }
    grace: 1s
streamFusions:
  ordersVsShipments:
    join: full
    keys: { region: string }
    members: { fOrders: { region: region }, fShipments: { region: area } }
    idleTimeout: ${IDLE_MS}ms
  ordersWithShipments:
    join: inner
    keys: { region: string }
    members: { fOrders: { region: region }, fShipments: { region: area } }
    idleTimeout: ${IDLE_MS}ms
`;

interface Event {
  readonly ts: number;
  readonly region: string;
  /** Cents (orders) or grams (shipments): exact integers; the topic carries them / 100 and / 1000. */
  readonly value: number;
}

/**
 * Events every `stepMs` from `fromMs` to `toMs` (relative to BASE). Every seventh is stamped
 * up to `withinMs` behind (within grace, counted); every 41st 9 s behind (late, dropped).
 */
function events(seed: number, fromMs: number, toMs: number, stepMs: number, withinMs: number): Event[] {
  const random = seededRandom(seed);
  const out: Event[] = [];
  for (let i = 0, t = fromMs; t <= toMs; i++, t += stepMs) {
    let ts = BASE + t;
    if (i % 41 === 40) ts -= 9_000;
    else if (i % 7 === 6) ts = Math.max(BASE, ts - Math.floor(random() * withinMs));
    out.push({ ts, region: REGIONS[Math.floor(random() * REGIONS.length)]!, value: 1 + Math.floor(random() * 90_000) });
  }
  return out;
}

/** What a member's window operator keeps: events in arrival order, dropped when every window of theirs closed at arrival. */
function accepted(all: readonly Event[], graceMs: number): Event[] {
  let time = -Infinity;
  return all.filter((e) => {
    time = Math.max(time, e.ts);
    const start = Math.floor(e.ts / SIZE) * SIZE;
    return start + SIZE + graceMs > time;
  });
}

type Sums = Map<string, { sum: number; count: number }>;
function byRegion(evs: readonly Event[], start: number): Sums {
  const out: Sums = new Map();
  for (const e of evs) {
    if (e.ts < start || e.ts >= start + SIZE) continue;
    const s = out.get(e.region) ?? { sum: 0, count: 0 };
    s.sum += e.value;
    s.count += 1;
    out.set(e.region, s);
  }
  return out;
}

interface FusedRow {
  region: string;
  revenue: number | null;
  orders: number | null;
  shipped: number | null;
  weight: number | null;
  perShipment: number | null;
}

/** The full join of both members' rows of the window starting at `start`. */
function referenceRows(orders: readonly Event[], shipments: readonly Event[], start: number): FusedRow[] {
  const o = byRegion(orders, start);
  const s = byRegion(shipments, start);
  const regions = [...new Set([...o.keys(), ...s.keys()])].sort();
  return regions.map((region) => {
    const revenue = o.has(region) ? o.get(region)!.sum / 100 : null;
    const shipped = s.get(region)?.count ?? null;
    return {
      region,
      revenue,
      orders: o.get(region)?.count ?? null,
      shipped,
      weight: s.has(region) ? s.get(region)!.sum / 1000 : null,
      perShipment: revenue === null || shipped === null ? null : revenue / shipped,
    };
  });
}

const ROWS = 'region revenue orders shipped weight perShipment: calc(expr: "revenue / shipped")';
const FULL = (emit: string) =>
  `subscription { ordersVsShipments(window: { tumble: "10s" }, emit: ${emit}) { start end final revision idle members { stream time idle } rows { ${ROWS} } } }`;
const INNER = `subscription { ordersWithShipments(window: { tumble: "10s" }, emit: FINAL, where: { region: { in: ["east", "north", "south"] } }, orderBy: [{ revenue: DESC }], limit: 2) {
  start end final idle rows { region revenue shipped perShipment: calc(expr: "revenue / shipped") } } }`;

type FusedVersion = WindowVersion & { idle: string[]; members: { stream: string; time: string | null; idle: boolean }[] };
const iso = (ms: number) => formatInstant(ms, 'UTC');
const sortByRegion = (rows: readonly Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.region).localeCompare(String(b.region)));

describe.skipIf(!kafka)('stream fusions: two topics joined per window in event time', () => {
  let gw: TestGateway;
  let producer: Producer;
  const open: StreamRecording[] = [];
  const track = (r: StreamRecording) => (open.push(r), r);

  beforeAll(async () => {
    const client = testKafkaClient(kafka!.brokers);
    await createTopics(client, [ORDERS, SHIPMENTS]);
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG(kafka!.brokers));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await gw?.close();
    await producer?.disconnect();
    await kafka?.close();
  });

  it('holds windows for the slower member, closes without an idle one, and equals the reference', async () => {
    const url = gw.server.url;
    const full = track(subscribeWs(url, 'ordersVsShipments', { query: FULL('FINAL') }));
    const twin = track(subscribeWs(url, 'ordersVsShipments', { query: FULL('FINAL') }));
    const changes = track(subscribeSse(url, 'ordersVsShipments', { query: FULL('CHANGES, throttle: "50ms"') }));
    const inner = track(subscribeWs(url, 'ordersWithShipments', { query: INNER }));
    await waitFor('4 fusion subscribers', async () => (await readMetric(gw, 'tributary_subscribers', { stream: 'ordersVsShipments' })) === 3 && (await readMetric(gw, 'tributary_subscribers', { stream: 'ordersWithShipments' })) === 1, KAFKA_MS);
    const hub = gw.gateway.streams as unknown as { fusions: Map<string, unknown> };
    expect(hub.fusions.size).toBe(2); // the three identical subscriptions share one fused operator

    // Both members move: shipments to 32 s, orders to 29 s.
    const shipments = events(7, 0, 32_000, 700, 900);
    const orders1 = events(11, 0, 29_000, 100, 1_800);
    const json = (e: Event, unit: number, field: string, dim: string) => JSON.stringify({ ts: e.ts, [dim]: e.region, [field]: e.value / unit });
    let ordersOffset = 0;
    let shipmentsOffset = 0;
    await Promise.all([
      produceInOrder(producer, SHIPMENTS, shipments.map((e) => json(e, 1000, 'kg', 'area')), 0).then((n) => (shipmentsOffset = n)),
      produceInOrder(producer, ORDERS, orders1.map((e) => json(e, 100, 'amount', 'region')), 0).then((n) => (ordersOffset = n)),
    ]);
    await waitForFinals(full, 2, 'windows both members passed');
    // Orders run on to 65 s; shipments stay quiet.
    const orders2 = events(13, 29_100, 65_000, 100, 1_800);
    await produceInOrder(producer, ORDERS, orders2.map((e) => json(e, 100, 'amount', 'region')), ordersOffset);
    for (const r of [full, twin, changes]) await waitForFinals(r, 6, 'ordersVsShipments', KAFKA_MS);
    await waitForFinals(inner, 6, 'ordersWithShipments', KAFKA_MS);
    for (const r of [full, twin, changes, inner]) expect(r.errors).toEqual([]);

    const keptOrders = accepted([...orders1, ...orders2], GRACE.orders);
    const keptShipments = accepted(shipments, GRACE.shipments);
    expect(keptOrders.length).toBeLessThan(orders1.length + orders2.length); // some were late, and dropped
    expect(keptShipments.length).toBeLessThan(shipments.length);
    const finals = full.finals() as FusedVersion[];
    expect(finals.map((f) => f.start)).toEqual([0, 1, 2, 3, 4, 5].map((i) => iso(BASE + i * SIZE)));
    for (const [i, f] of finals.entries()) {
      const start = BASE + i * SIZE;
      expect(sortByRegion(f.rows), `rows of ${f.start}`).toEqual(referenceRows(keptOrders, keptShipments, start));
      const shipmentsTime = Date.parse(f.members.find((m) => m.stream === 'fShipments')!.time!);
      if (i < 3) {
        // Synchronized: shipments reached 31.5 s, past these windows' end + 1 s.
        expect(f.idle, f.start).toEqual([]);
        expect(shipmentsTime).toBeGreaterThanOrEqual(start + SIZE + GRACE.shipments);
        expect(Date.parse(f.members.find((m) => m.stream === 'fOrders')!.time!)).toBeGreaterThanOrEqual(start + SIZE + GRACE.orders);
      } else {
        // Shipments went quiet at 32 s: these closed without it, with what it had.
        expect(f.idle, f.start).toEqual(['fShipments']);
        expect(shipmentsTime).toBe(Math.max(...shipments.map((e) => e.ts)));
        expect(f.members.find((m) => m.stream === 'fShipments')!.idle).toBe(true);
      }
    }
    const finalsOf = (r: StreamRecording) => (r.finals() as FusedVersion[]).map((v) => ({ ...v, rows: sortByRegion(v.rows) }));
    expect(finalsOf(twin)).toEqual(finalsOf(full));
    expect(finalsOf(changes).map(({ start, rows, idle }) => ({ start, rows, idle }))).toEqual(finalsOf(full).map(({ start, rows, idle }) => ({ start, rows, idle })));
    expect(changes.versions.filter((v) => !v.final).length).toBeGreaterThan(0);

    // Inner join, where, order by revenue desc, limit 2, a calc across members.
    expect(inner.finals().map((f) => ({ start: f.start, rows: f.rows }))).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => ({
        start: iso(BASE + i * SIZE),
        rows: referenceRows(keptOrders, keptShipments, BASE + i * SIZE)
          .filter((r) => r.region !== 'west' && r.revenue !== null && r.shipped !== null)
          .sort((a, b) => b.revenue! - a.revenue!)
          .slice(0, 2)
          .map(({ region, revenue, shipped, perShipment }) => ({ region, revenue, shipped, perShipment })),
      })),
    );

    // Shipments wakes up with two events for the window [30 s, 40 s), which closed without it
    // (its own window is still open: 34 s < 40 s + 1 s). They are in no fused window: each
    // fused operator counts them in tributary_stream_fusion_after_close_events_total, and
    // no window closes again.
    const wake = [33_000, 34_000].map((t) => JSON.stringify({ ts: BASE + t, area: 'east', kg: 1.5 }));
    await produceInOrder(producer, SHIPMENTS, wake, shipmentsOffset);
    for (const fusion of ['ordersVsShipments', 'ordersWithShipments']) {
      await waitFor(`${fusion}: 2 events after close`, async () => (await readMetric(gw, 'tributary_stream_fusion_after_close_events_total', { fusion, member: 'fShipments' })) === 2, KAFKA_MS);
    }
    expect(full.finals()).toHaveLength(6);

    // Leaving stops the fused operators and their taps on both member streams.
    await Promise.all(open.splice(0).map((r) => r.close()));
    await waitFor('fused operators gone', () => hub.fusions.size === 0, 10_000);
    const streams = (gw.gateway.streams as unknown as { streams: Map<string, { taps: Map<string, unknown> }> }).streams;
    expect([...streams.values()].map((s) => s.taps.size)).toEqual([0, 0]);
  }, 180_000);

  it('refuses what a fusion cannot do, with BAD_USER_INPUT, before anything runs', async () => {
    const answer = async (args: string) => {
      const r = track(subscribeWs(gw.server.url, 'ordersVsShipments', { query: `subscription { ordersVsShipments(${args}) { start rows { region } } }` }));
      await waitFor('an error', () => r.errors.length > 0, 10_000);
      return JSON.stringify(r.errors);
    };
    expect(await answer('window: { session: { gap: "5s" } }')).toMatch(/BAD_USER_INPUT.*tumble or hop|tumble or hop.*BAD_USER_INPUT/s);
    expect(await answer('window: { tumble: "ten seconds" }')).toContain('BAD_USER_INPUT');
  });
});
