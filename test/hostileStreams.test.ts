/**
 * Hostile and broken streams over a real Kafka broker and the test Postgres (issue 9,
 * item 8): one far-future event among valid ones (microseconds sent as milliseconds) is
 * dead-lettered and changes nothing else; the late-event metric counts each late event
 * once per stream with 0, 1 or 3 window operators; a landing table that cannot be written
 * for a while loses no window and lands none twice; FINAL windows dropped for a reader
 * that stopped reading are counted in a metric.
 *
 * Event times are near the wall clock (a few minutes back), since maxSkew is measured
 * against it; each stream has its own topic, names are unique per run.
 */
import type { Kafka, Producer } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planSubscription, type Subscriber } from '../subscriptions/index.ts';
import { captureLog } from './support/captureLog.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { generateEvents, referenceWindows, type ReferenceWindow, type TestEvent } from './support/referenceWindows.ts';
import { expectFinals, subscribeWs, waitForFinals, type StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const probe = kafka ? await connectTestPostgres() : null;
await probe?.end();
/**
 * A pool, not one client: other suites on this Postgres terminate connections and restart
 * the server, and a pool replaces a connection that went away. An idle connection that
 * goes away is expected here, so its error is dropped.
 */
const admin = probe ? new pg.Pool({ connectionString: TEST_PG_URL, max: 2 }).on('error', () => {}) : null;
const SCHEMA = 'tributary_hostile_streams';
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const STREAMS = ['skew', 'late0', 'late1', 'late3', 'landed', 'slow'] as const;
type Stream = (typeof STREAMS)[number];
const topicOf = (stream: string) => `hostile-${stream}-${RUN}`;
const KAFKA_MS = 30_000;
const GRACE_MS = 2_000;
/** Five minutes back, on a 10 s boundary: event times within maxSkew (1h) of the wall clock. */
const BASE = Math.floor((Date.now() - 300_000) / 10_000) * 10_000;
const WATERMARK: TestEvent = { ts: BASE + 200_000, region: 'east', channel: 'web', amount: 1 };
const ROWS = 'region channel revenue orders maxAmount';
const tumble = (sizeMs: number) => ({ kind: 'tumble', sizeMs }) as const;

const CONFIG = () => `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets: {}
streams:
${STREAMS.map(
  (name) => `  ${name}:
    kafka: { brokers: "${kafka!.brokers}", topic: "${topicOf(name)}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: 2s
    retention: 1h${name === 'skew' ? `\n    deadLetterTopic: "${topicOf('skew.dlq')}"` : ''}${name === 'landed' ? `\n    landing: { source: warehouse, table: ${SCHEMA}.landed_1s, window: 1s }` : ''}`,
).join('\n')}
`;

describe.skipIf(!kafka || !admin)('hostile streams: far-future events, late counts, landing outages, slow readers', () => {
  let client: Kafka;
  let producer: Producer;
  let gw: TestGateway;
  const open: StreamRecording[] = [];
  const metric = (name: string, stream: Stream) => readMetric(gw, name, { stream });
  const subscribers = (stream: Stream, n: number) =>
    waitFor(`${n} subscribers of ${stream}`, async () => (await metric('tributary_subscribers', stream)) === n, KAFKA_MS);
  const ws = (stream: Stream, args: string) => {
    const r = subscribeWs(gw.server.url, stream, { query: `subscription { ${stream}(${args}) { start end final revision rows { ${ROWS} } } }` });
    open.push(r);
    return r;
  };
  const produce = (stream: string, values: readonly string[], from = 0) => produceInOrder(producer, topicOf(stream), values, from);
  const json = (events: readonly TestEvent[]) => events.map((e) => JSON.stringify(e));
  const consumed = (stream: Stream, n: number) =>
    waitFor(`${n} events of ${stream} consumed`, async () => (await metric('tributary_stream_events_total', stream)) >= n, KAFKA_MS);

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    client = testKafkaClient(kafka!.brokers);
    await createTopics(client, [...STREAMS, 'skew.dlq'].map(topicOf));
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG());
  });

  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await gw?.close();
    await producer?.disconnect();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
    await kafka?.close();
  });

  it('one far-future event is dead-lettered with its reason: no window closes early, nothing later is late, history stays', async () => {
    const final = ws('skew', 'window: { tumble: "10s" }, emit: FINAL');
    await subscribers('skew', 1);
    const before = generateEvents(31, 200, { startTs: BASE, stepMs: 100, jitterMs: 1_000 });
    const after = generateEvents(32, 200, { startTs: BASE + 20_000, stepMs: 100, jitterMs: 1_000 });
    const farFuture = JSON.stringify({ ts: Date.now() * 1_000, region: 'east', channel: 'web', amount: 7 }); // microseconds as ms
    await produce('skew', [...json(before), farFuture, ...json([...after, WATERMARK])]);

    const valid = [...before, ...after, WATERMARK];
    const want = referenceWindows(valid, tumble(10_000), { graceMs: GRACE_MS, groupBy: ['region', 'channel'] });
    expect(want.late).toBe(0);
    await consumed('skew', valid.length);
    await waitForFinals(final, want.closed.length, 'skew FINAL', KAFKA_MS);
    expectFinals(final.versions, want.closed, 'FINAL windows around a far-future event');
    expect(final.errors).toEqual([]);
    expect(await metric('tributary_stream_events_total', 'skew')).toBe(valid.length);
    expect(await metric('tributary_stream_late_events_total', 'skew')).toBe(0);
    expect(await metric('tributary_stream_bad_messages_total', 'skew')).toBe(1);

    // The retained history is intact: a replay from the first event gets every window.
    const replay = ws('skew', `window: { tumble: "10s" }, emit: FINAL, since: "${new Date(BASE).toISOString()}"`);
    const replayed = referenceWindows(valid, tumble(10_000), { graceMs: GRACE_MS, groupBy: ['region', 'channel'], sinceMs: BASE }).closed;
    await waitForFinals(replay, replayed.length, 'skew replay', KAFKA_MS);
    expectFinals(replay.versions, replayed, 'windows replayed after a far-future event');

    const dead = await readDeadLetters(client, topicOf('skew.dlq'), 1);
    expect(dead.map((d) => d.value)).toEqual([farFuture]);
    expect(dead[0]!.reason).toMatch(/^event time .* ms ahead of the gateway clock, more than the stream's maxSkew of 3600000 ms/);
  });

  it('a hop of 1d every 1ms is refused with LIMIT_EXCEEDED naming the bound, over graphql-ws', async () => {
    const refused = ws('late1', 'window: { hop: { size: "1d", advance: "1ms" } }, emit: FINAL');
    await waitFor('the refusal', () => refused.errors.length > 0, KAFKA_MS);
    expect(JSON.stringify(refused.errors)).toMatch(/"code":"LIMIT_EXCEEDED"/);
    expect(JSON.stringify(refused.errors)).toMatch(/86400000 windows; the limit is 1000 windows per event/);
    expect(refused.versions).toEqual([]);
  });

  it('late events are counted once per stream, with 0, 1 or 3 window operators', async () => {
    const events = [...generateEvents(41, 400, { startTs: BASE, stepMs: 100, jitterMs: 1_000, lateShare: 0.05, lateByMs: 15_000 }), WATERMARK];
    const late = behindWatermark(events, GRACE_MS);
    expect(late).toBeGreaterThan(5);
    expect(referenceWindows(events, tumble(10_000), { graceMs: GRACE_MS, groupBy: [] }).late).toBe(late); // here every late event misses its 10 s window

    // No operator: the feed runs on after its only subscription ended.
    const gone = ws('late0', 'window: { tumble: "10s" }, emit: FINAL');
    await subscribers('late0', 1);
    await gone.close();
    await subscribers('late0', 0);
    ws('late1', 'window: { tumble: "10s" }, emit: FINAL');
    await subscribers('late1', 1);
    for (const window of ['tumble: "10s"', 'tumble: "5s"', 'hop: { size: "10s", advance: "5s" }']) ws('late3', `window: { ${window} }, emit: FINAL`);
    await subscribers('late3', 3);
    expect(gw.gateway.streams['streams'].get('late3')!.operators.size).toBe(3);

    for (const stream of ['late0', 'late1', 'late3'] as const) {
      await produce(stream, json(events));
      await consumed(stream, events.length);
      expect([stream, await metric('tributary_stream_late_events_total', stream)]).toEqual([stream, late]);
    }
  });

  it('a landing table that cannot be written for a while: every window lands once when it is back', async () => {
    const table = `${SCHEMA}.landed_1s`;
    const writer = gw.gateway.streams.landing('landed')!;
    const log = captureLog();
    const failures = () => log.lines.filter((l) => l.msg === 'landing landed failed').length;
    const first = generateEvents(51, 300, { startTs: BASE, stepMs: 100, jitterMs: 1_000 });
    const second = generateEvents(52, 300, { startTs: BASE + 30_000, stepMs: 100, jitterMs: 1_000 });
    const all = [...first, ...second, WATERMARK];
    const want = referenceWindows(all, tumble(1_000), { graceMs: GRACE_MS, groupBy: ['region', 'channel'] }).closed;
    expect(want.reduce((n, w) => n + w.events, 0)).toBe(first.length + second.length);

    const next = await produce('landed', json(first));
    await waitFor('the first events landed', async () => (await landedOrders(table)) >= first.length - 30, KAFKA_MS);
    // The table goes away (renamed) while windows keep closing: their writes fail.
    await admin!.query(`alter table ${table} rename to landed_away`);
    try {
      await produce('landed', json([...second, WATERMARK]), next);
      await waitFor('a landing write to fail', () => failures() >= 1, KAFKA_MS);
      await waitFor('the failed write to be tried again', () => failures() >= 2, KAFKA_MS);
    } finally {
      log.stop();
      await admin!.query(`alter table if exists ${SCHEMA}.landed_away rename to landed_1s`);
    }
    await waitFor('every window landed', async () => (await landedOrders(table)) === first.length + second.length, KAFKA_MS);
    await writer.settled();
    expect(writer.droppedWindows).toBe(0);
    const { rows } = await admin!.query(
      `select (extract(epoch from window_start) * 1000)::float8 as start, channel, region, revenue_sum as revenue, orders_count as orders, "maxAmount_max" as "maxAmount"
       from ${table} order by window_start, channel, region`,
    );
    expectSameRows(rows, flatten(want), 'landed windows across the outage');
  });

  it('FINAL windows dropped for a reader that stopped reading are counted', async () => {
    const { config, streams } = gw.gateway;
    const selection = { dimensions: [], measures: ['orders'], calcs: [] };
    const { plan, key } = planSubscription(config.streams.slow!.view, { window: { tumble: '1s' }, emit: 'FINAL' }, selection, config.server, Date.now());
    const reader: Subscriber = await streams.subscribe(plan, key, 'FINAL', 0);
    try {
      await waitFor('the reader to count as stalled', () => Date.now() - reader['lastPull'] > reader['stallMs'], KAFKA_MS);
      const events = generateEvents(61, 600, { startTs: BASE, stepMs: 1_000, jitterMs: 0 });
      await produce('slow', json([...events, WATERMARK]));
      await consumed('slow', events.length + 1);
      const closed = referenceWindows([...events, WATERMARK], tumble(1_000), { graceMs: GRACE_MS, groupBy: [] }).closed.length;
      const kept = reader['stalledQueued'] as number;
      expect(closed).toBeGreaterThan(kept);
      expect(reader.droppedFinals).toBe(closed - kept);
      expect(await metric('tributary_stream_dropped_windows_total', 'slow')).toBe(closed - kept);
    } finally {
      await reader.return();
    }
  });

  async function landedOrders(table: string): Promise<number> {
    const { rows } = await admin!.query(`select coalesce(sum(orders_count), 0)::float8 as n from ${table}`);
    return rows[0].n;
  }
});

/** Events that arrived more than grace behind the largest event time before them. */
function behindWatermark(events: readonly TestEvent[], graceMs: number): number {
  let streamTime = -Infinity;
  let late = 0;
  for (const e of events) {
    if (e.ts + graceMs < streamTime) late++;
    streamTime = Math.max(streamTime, e.ts);
  }
  return late;
}

function flatten(windows: readonly ReferenceWindow[]) {
  return windows.flatMap((w) => w.rows.map((r) => ({ start: w.start, channel: r.channel, region: r.region, revenue: r.revenue, orders: r.orders, maxAmount: r.maxAmount })));
}

async function readDeadLetters(client: Kafka, topic: string, n: number): Promise<{ value: string; reason: string }[]> {
  const dead: { value: string; reason: string }[] = [];
  const consumer = client.consumer({ groupId: `dlq-reader-${RUN}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void dead.push({ value: message.value?.toString() ?? '', reason: message.headers?.reason?.toString() ?? '' }),
    });
    await waitFor(`${n} dead letters`, () => dead.length >= n, KAFKA_MS);
  } finally {
    await consumer.disconnect();
  }
  return dead;
}
