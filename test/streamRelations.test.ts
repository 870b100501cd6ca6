/**
 * Relations on stream rows, end to end over a real Kafka broker and a real Postgres: stream
 * `relOrders` relates each row to dataset `regions` (a Postgres table) on `region`. Events
 * with known event times (2030) and decimal amounts (cents / 100) go to a fresh topic; the
 * final windows must equal a reference computed here, with each row's `regionInfo` (its
 * region's manager and target, null for a region the table lacks), sums and averages exact
 * to the cent (no binary noise), and bounds printed as ISO-8601 with the offset.
 *
 * Lookups: each window version's rows are looked up in one batch (one `answer` for
 * `regions` per version, whatever its rows and subscribers), and repeated key sets are
 * answered from the cache, so the source sees at most that many queries.
 *
 * Sharing: callers of one role whose row policy on `regions` differs (a claim) share the
 * stream operator but never a version's lookups: each sees only its own regions' managers.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant, type DatasetRequest } from '../planner/index.ts';
import { subscribeSseAs, subscribeWsAs } from './support/authClients.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { BASE_TS, generateEvents, referenceWindows, type ReferenceWindow, type TestEvent } from './support/referenceWindows.ts';
import { waitForFinals, type StreamRecording, type WindowVersion } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { hsToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './support/tokens.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const admin = kafka ? await connectTestPostgres() : null;
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const TOPIC = `stream-relations-${RUN}`;
const SCHEMA = 'tributary_stream_relations';
const GRACE_MS = 2_000;
const KAFKA_MS = 60_000;
/** West has no row: its rows' regionInfo is null. */
const REGIONS = [
  { region: 'east', manager: 'Ada Park', target: 1250.75 },
  { region: 'north', manager: 'Bo Lindqvist', target: 980.1 },
  { region: 'south', manager: 'Cy Mensah', target: 1100.2 },
];

const CONFIG = (brokers: string) => `
auth: { jwt: { secret: "${TEST_SECRET}", issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE} }, anonymous: everything }
roles:
  everything: "*"
  viewer:
    relOrders: {}
    regions: { rows: { region: { in: "$claims.regions" } } }
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets:
  regions:
    source: warehouse
    table: ${SCHEMA}.regions
    dimensions: { region: { type: string }, manager: { type: string } }
    measures: { target: { sum: target } }
streams:
  relOrders:
    kafka: { brokers: "${brokers}", topic: "${TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, avgAmount: { avg: amount } }
    relations:
      regionInfo: { dataset: regions, on: { region: region } }
    grace: 2s
    retention: 1h
    maxSkew: 3650d # event times are in 2030
`;

const ROWS = 'region channel revenue orders avgAmount regionInfo { manager target }';
const query = (emit: string) => `subscription { relOrders(window: { tumble: "10s" }, emit: ${emit}) { start end final revision rows { ${ROWS} } } }`;

/** Amounts in cents: a window's exact revenue is its cents / 100, which float addition of the decimals misses. */
const centsOf = (e: TestEvent) => e.amount * 7 + 3;

type Info = { manager: string; target: number } | null;

/** The reference's windows as the subscription must show them, for a caller who sees `visible` regions in `regions`. */
function expected(closed: readonly ReferenceWindow[], visible: ReadonlySet<string>) {
  const info = (region: string): Info => {
    const r = REGIONS.find((x) => x.region === region);
    return r && visible.has(region) ? { manager: r.manager, target: r.target } : null;
  };
  return closed.map((w) => ({
    start: formatInstant(w.start, 'UTC'),
    end: formatInstant(w.end, 'UTC'),
    rows: sortRows(
      w.rows.map((r) => ({
        region: r.region,
        channel: r.channel,
        // revenue is the sum of cents here (the reference sums `amount`, which is cents).
        revenue: (r.revenue as number) / 100,
        orders: r.orders,
        avgAmount: (r.revenue as number) / (100 * (r.orders as number)), // one division of exact integers: the nearest double
        regionInfo: info(r.region as string),
      })),
    ),
  }));
}

function sortRows<T extends Record<string, unknown>>(rows: readonly T[]): T[] {
  return [...rows].sort((a, b) => `${a.region}/${a.channel}`.localeCompare(`${b.region}/${b.channel}`));
}

const finalsOf = (r: StreamRecording) => r.finals().map((v) => ({ start: v.start, end: v.end, rows: sortRows(v.rows) }));

/** Distinct window versions delivered (a version reaching several subscriptions counts once). */
const versionsOf = (...rs: StreamRecording[]) => new Set(rs.flatMap((r) => r.versions.map((v: WindowVersion) => `${v.start}|${v.revision}|${v.final}`))).size;

describe.skipIf(!kafka || !admin)('stream relations: window rows carry the related dataset row, one lookup per window version', () => {
  let gw: TestGateway;
  let producer: Producer;
  const open: StreamRecording[] = [];
  const track = <T extends StreamRecording>(r: T) => (open.push(r), r);
  /** `regions` lookups by caller (the claim's regions, or "everything"), counted where the resolvers call the gateway. */
  const lookups = new Map<string, number>();

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`create table ${SCHEMA}.regions (region text primary key, manager text not null, target numeric(12,2) not null)`);
    for (const r of REGIONS) await admin!.query(`insert into ${SCHEMA}.regions values ($1, $2, $3)`, [r.region, r.manager, r.target]);
    const client = testKafkaClient(kafka!.brokers);
    await createTopics(client, [TOPIC]);
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG(kafka!.brokers));
    const answer = gw.gateway.answer;
    gw.gateway.answer = (request: DatasetRequest, options = {}) => {
      if (request.dataset === 'regions') {
        const who = JSON.stringify(options.access?.claims.regions ?? 'everything');
        lookups.set(who, (lookups.get(who) ?? 0) + 1);
      }
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

  it('final windows equal the reference: exact decimal sums, offset bounds, each row with its region row; one lookup per version', async () => {
    const eastOnly = await hsToken({ sub: 'e', role: 'viewer', regions: ['east'] });
    const northWest = await hsToken({ sub: 'nw', role: 'viewer', regions: ['north', 'west'] });
    const final = track(subscribeWsAs(gw.server.url, undefined, 'relOrders', query('FINAL')));
    const changes = track(subscribeSseAs(gw.server.url, undefined, 'relOrders', query('CHANGES, throttle: "50ms"')));
    // Same role, document and stream policy (one operator), different policies on regions.
    const east = track(subscribeWsAs(gw.server.url, eastOnly, 'relOrders', query('FINAL')));
    const west = track(subscribeWsAs(gw.server.url, northWest, 'relOrders', query('FINAL')));
    await waitFor('4 subscribers of relOrders', async () => (await readMetric(gw, 'tributary_subscribers', { stream: 'relOrders' })) === 4, KAFKA_MS);

    const events = generateEvents(13, 600, { stepMs: 100, jitterMs: 1_500, lateShare: 0.03, lateByMs: 15_000 });
    const watermark: TestEvent = { ts: BASE_TS + 600_000, region: 'east', channel: 'web', amount: 1 };
    const all = [...events, watermark];
    const sourceBefore = await readMetric(gw, 'tributary_source_queries_total', { dataset: 'regions' });
    await produceInOrder(producer, TOPIC, all.map((e) => JSON.stringify({ ...e, amount: centsOf(e) / 100 })), 0);
    // The reference sums cents (exact integers); expected() divides by 100 once.
    const { closed } = referenceWindows(all.map((e) => ({ ...e, amount: centsOf(e) })), { kind: 'tumble', sizeMs: 10_000 }, { graceMs: GRACE_MS, groupBy: ['region', 'channel'] });
    expect(closed.length).toBeGreaterThan(5);
    for (const r of [final, changes, east, west]) await waitForFinals(r, closed.length, 'relOrders');
    for (const r of [final, changes, east, west]) expect(r.errors).toEqual([]);

    const everything = expected(closed, new Set(REGIONS.map((r) => r.region)));
    expect(finalsOf(final)).toEqual(everything);
    expect(finalsOf(changes)).toEqual(everything);
    expect(finalsOf(east)).toEqual(expected(closed, new Set(['east'])));
    expect(finalsOf(west)).toEqual(expected(closed, new Set(['north', 'west'])));
    // The noise the accumulators remove is there: float addition of these amounts misses some totals.
    const noisy = noisyTotals(all, 10_000);
    expect(noisy).toBeGreaterThan(0);
    // Bounds print as query time buckets do: ISO-8601 with the offset (the equality above checks each one).
    expect(final.versions.map((v) => v.start).filter((t) => !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/.test(t))).toEqual([]);

    const sourceQueries = (await readMetric(gw, 'tributary_source_queries_total', { dataset: 'regions' })) - sourceBefore;
    const shared = versionsOf(final, changes);
    const lookupsOf = (who: string) => lookups.get(who) ?? 0;
    const [forAll, forEast, forNorthWest] = [lookupsOf('"everything"'), lookupsOf('["east"]'), lookupsOf('["north","west"]')];
    console.log(
      `stream relations: ${closed.length} windows; everything: ${forAll} lookups for ${shared} window versions (FINAL + CHANGES); ` +
        `east: ${forEast} for ${versionsOf(east)}; north+west: ${forNorthWest} for ${versionsOf(west)}; ` +
        `${sourceQueries} source queries to regions; ${noisy} group totals float addition would have printed with noise`,
    );
    expect(forAll).toBeGreaterThan(0);
    expect(forAll).toBeLessThanOrEqual(shared);
    expect(forEast).toBeLessThanOrEqual(versionsOf(east));
    expect(forNorthWest).toBeLessThanOrEqual(versionsOf(west));
    expect(sourceQueries).toBeLessThanOrEqual(forAll + forEast + forNorthWest);
  });
});

/**
 * How many (window, region, channel) totals plain float addition of the decimal amounts, in
 * arrival order, gets wrong: the noise the accumulators remove (tumbling windows of `sizeMs`;
 * an event is late when its window closed before it arrived, as in the reference).
 */
function noisyTotals(events: readonly TestEvent[], sizeMs: number): number {
  let streamTime = -Infinity;
  const sums = new Map<string, { naive: number; cents: number }>();
  for (const e of events) {
    streamTime = Math.max(streamTime, e.ts);
    const start = Math.floor(e.ts / sizeMs) * sizeMs;
    if (start + sizeMs + GRACE_MS <= streamTime) continue;
    const key = `${start}|${e.region}|${e.channel}`;
    const sum = sums.get(key) ?? { naive: 0, cents: 0 };
    sum.naive += centsOf(e) / 100;
    sum.cents += centsOf(e);
    sums.set(key, sum);
  }
  return [...sums.values()].filter((s) => s.naive !== s.cents / 100).length;
}
