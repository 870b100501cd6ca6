/**
 * Streams under faults, over a real Kafka broker started by this suite (it crashes it) and
 * the test Postgres: malformed messages among valid ones (counted, dead-lettered, the stream
 * keeps its windows right); a subscriber that stops reading (its queue stays bounded, others
 * are served); windows landed in Postgres served back as `<stream>History`; and a broker
 * crash mid-stream (every event lands exactly once, the subscription keeps delivering).
 */
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Subscriber } from '../subscriptions/index.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { readMetric } from './support/readMetric.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { BASE_TS, generateEvents, referenceWindows, type ReferenceWindow, type TestEvent } from './support/referenceWindows.ts';
import { expectFinals, subscribeWs, waitForFinals, type StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka({ own: true });
const admin = kafka ? await connectTestPostgres() : null;
const SCHEMA = 'tributary_stream_faults';
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const topicOf = (stream: string) => `faults-${stream}-${RUN}`;
const KAFKA_MS = 60_000;
const WATERMARK: TestEvent = { ts: BASE_TS + 600_000, region: 'east', channel: 'web', amount: 1 };
const tumble = (sizeMs: number) => ({ kind: 'tumble', sizeMs }) as const;
const ROWS = 'region channel revenue orders maxAmount';

const CONFIG = (stream: string, extra = '') => `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets: {}
streams:
  ${stream}:
    kafka: { brokers: "${kafka!.brokers}", topic: "${topicOf(stream)}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: 2s
    retention: 1h
    maxSkew: 3650d # event times are in 2030, ahead of the wall clock
${extra}`;

describe.skipIf(!kafka || !admin)('streams under faults: bad messages, slow subscribers, landing, broker crash', () => {
  let client: Kafka;
  let producer: Producer;
  let gw: TestGateway | undefined;
  const open: StreamRecording[] = [];
  const metric = (name: string, stream: string) => readMetric(gw!, name, { stream });
  const subscribers = (stream: string, n: number) =>
    waitFor(`${n} subscribers of ${stream}`, async () => (await metric('tributary_subscribers', stream)) === n, KAFKA_MS);
  const ws = (stream: string, args: string, rows = ROWS) => {
    const r = subscribeWs(gw!.server.url, stream, { query: `subscription { ${stream}(${args}) { start end final revision rows { ${rows} } } }` });
    open.push(r);
    return r;
  };
  const json = (events: readonly TestEvent[]) => events.map((e) => JSON.stringify(e));
  const gateway = async (yaml: string) => (gw = await startTestGateway(yaml));

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    client = testKafkaClient(kafka!.brokers);
    await createTopics(client, ['bad', 'bad.dlq', 'slow', 'landed', 'crash'].map(topicOf));
    producer = client.producer();
    await producer.connect();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((r) => r.close()));
    await gw?.close();
    gw = undefined;
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin?.end();
    await kafka?.close();
  });

  it('1,000 malformed messages: counted, dead-lettered with a reason, and the windows stay right', async () => {
    await gateway(CONFIG('bad', `    deadLetterTopic: "${topicOf('bad.dlq')}"`));
    const final = ws('bad', 'window: { tumble: "10s" }, emit: FINAL');
    await subscribers('bad', 1);
    const valid = generateEvents(11, 1_500, { stepMs: 20, jitterMs: 1_500, lateShare: 0.02, lateByMs: 15_000 });
    const badKinds = [
      (i: number) => `{"ts": ${BASE_TS + i}, "region": "east", oops`, // not JSON
      (i: number) => JSON.stringify({ region: 'east', channel: 'web', amount: i }), // no ts
      (i: number) => JSON.stringify({ ts: 'not a time', region: 'east', channel: 'web', amount: i }),
      (i: number) => JSON.stringify({ ts: BASE_TS + i, region: i, channel: 'web', amount: 1 }), // region is a number
      (i: number) => JSON.stringify([BASE_TS + i, 'east', 'web']), // not an object
    ];
    const bad = Array.from({ length: 1_000 }, (_, i) => badKinds[i % badKinds.length]!(i));
    let nextBad = 0;
    const interleaved = json(valid).flatMap((v, i) => (i % 3 < 2 ? [bad[nextBad++]!, v] : [v]));
    expect(interleaved.length).toBe(2_500);
    const badBefore = await metric('tributary_stream_bad_messages_total', 'bad');
    await produceInOrder(producer, topicOf('bad'), [...interleaved, ...json([WATERMARK])], 0);

    const want = referenceWindows([...valid, WATERMARK], tumble(10_000), { graceMs: 2_000, groupBy: ['region', 'channel'] }).closed;
    await waitForFinals(final, want.length, 'windows of the valid events');
    expectFinals(final.versions, want, 'FINAL windows among malformed messages');
    expect(final.errors).toEqual([]);
    expect((await metric('tributary_stream_bad_messages_total', 'bad')) - badBefore).toBe(1_000);
    expect(await metric('tributary_stream_events_total', 'bad')).toBe(valid.length + 1);

    const dead: { value: string; reason: string }[] = [];
    const consumer = client.consumer({ groupId: `dlq-reader-${RUN}` });
    await consumer.connect();
    await consumer.subscribe({ topic: topicOf('bad.dlq'), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void dead.push({ value: message.value?.toString() ?? '', reason: message.headers?.reason?.toString() ?? '' }),
    });
    try {
      await waitFor('1,000 dead letters', () => dead.length >= 1_000, 30_000).catch((error: Error) => {
        throw new Error(`${error.message}: got ${dead.length}`);
      });
    } finally {
      await consumer.disconnect();
    }
    const [dlq] = await offsetsOf(client, topicOf('bad.dlq'));
    expect(Number(dlq!.high)).toBe(1_000); // exactly the bad messages, none twice
    expect(dead.map((d) => d.value).sort()).toEqual([...bad].sort());
    expect(dead.filter((d) => d.reason.length === 0)).toEqual([]);
  });

  it('a subscriber that stops reading: its queue stays bounded, others are served', async () => {
    // 200 aliases of a measure: over the default maxAliases, raised for this client.
    await gateway(CONFIG('slow', 'server: { limits: { maxAliases: 250 } }'));
    const healthy = ws('slow', 'window: { tumble: "10s" }, emit: FINAL', 'region revenue orders maxAmount');
    // The slow client selects each measure many times over, so its messages are large and
    // the TCP buffers between it and the server fill after a few megabytes.
    const aliases = Array.from({ length: 200 }, (_, i) => `r${i}: revenue`).join(' ');
    const slow = await pausedSubscription(gw!.server.url, `subscription { slow(window: { tumble: "1s" }, emit: CHANGES, throttle: "10ms") { start end final revision rows { ${ROWS} ${aliases} } } }`);
    await subscribers('slow', 2);
    const hub = gw!.gateway.streams;
    const slowSubscriber = () =>
      [...hub['streams'].get('slow')!.operators.values()].flatMap((o) => [...o.subscribers]).find((s) => s.emit === 'CHANGES') as Subscriber;
    const bound = slowSubscriber()['maxQueued'];
    const stalledBound = slowSubscriber()['stalledQueued'];
    let maxQueued = 0;
    const sampler = setInterval(() => (maxQueued = Math.max(maxQueued, slowSubscriber()['ready'].length)), 5);

    const events = generateEvents(12, 10_000, { stepMs: 20, jitterMs: 1_000 });
    try {
      await produceInOrder(producer, topicOf('slow'), json([...events, WATERMARK]), 0, 2_000);
      const want = referenceWindows([...events, WATERMARK], tumble(10_000), { graceMs: 2_000, groupBy: ['region'] }).closed;
      await waitForFinals(healthy, want.length, 'the healthy subscriber');
      expectFinals(healthy.versions, want, 'FINAL windows of the healthy subscriber');
      // Once it has not pulled for stallMs, new versions push its oldest out.
      const stallMs = slowSubscriber()['stallMs'];
      await waitFor('the slow subscriber to stall', () => Date.now() - slowSubscriber()['lastPull'] > stallMs, KAFKA_MS);
      // Later events (hundreds of new one-second windows, more than the stalled bound).
      const more = [700_000, 900_000].flatMap((shift) => events.map((e) => ({ ...e, ts: e.ts + shift })));
      await produceInOrder(producer, topicOf('slow'), json(more), 10_001, 2_000);
      await waitFor('the slow subscriber to drop versions', () => slowSubscriber().dropped > 0, KAFKA_MS);
      const answer = await gw!.query('{ _datasets { name kind } }');
      expect(answer.data._datasets).toContainEqual({ name: 'slow', kind: 'stream' });
    } finally {
      clearInterval(sampler);
    }
    // While it could still be reading, it may fall `bound` versions behind; once stalled,
    // it keeps only the newest `stalledBound`.
    expect(maxQueued).toBeLessThanOrEqual(bound);
    expect(slowSubscriber()['ready'].length).toBeLessThanOrEqual(stalledBound);
    slow.terminate();
    await subscribers('slow', 1); // the stuck subscription is released when its socket goes
  });

  it('landed windows are served back as the <stream>History dataset', async () => {
    await gateway(CONFIG('landed', `    landing: { source: warehouse, table: ${SCHEMA}.landed_1s, window: 1s }`));
    const events = generateEvents(13, 900, { stepMs: 200, jitterMs: 1_500, lateShare: 0.02, lateByMs: 10_000 });
    await produceInOrder(producer, topicOf('landed'), json([...events, WATERMARK]), 0);
    const want = referenceWindows([...events, WATERMARK], tumble(1_000), { graceMs: 2_000, groupBy: ['region', 'channel'] }).closed;
    const total = want.reduce((n, w) => n + w.events, 0);
    await waitFor('every window landed', async () => (await landedOrders(`${SCHEMA}.landed_1s`)) === total, KAFKA_MS);

    const byMinute = new Map<number, { windowStart: number; orders: number; revenue: number; maxAmount: number }>();
    for (const w of want) {
      const minute = Math.floor(w.start / 60_000) * 60_000;
      const m = byMinute.get(minute) ?? { windowStart: minute, orders: 0, revenue: 0, maxAmount: -Infinity };
      for (const r of w.rows) {
        if (r.channel === 'web') continue;
        Object.assign(m, { orders: m.orders + Number(r.orders), revenue: m.revenue + Number(r.revenue), maxAmount: Math.max(m.maxAmount, Number(r.maxAmount)) });
      }
      byMinute.set(minute, m);
    }
    const answer = await gw!.query(`{
      landedHistory(where: { channel: { ne: "web" } }, orderBy: [{ windowStart: ASC }]) {
        rows { windowStart(granularity: MINUTE) orders revenue maxAmount }
      }
    }`);
    expect(answer.errors).toBeUndefined();
    const rows = answer.data.landedHistory.rows.map((r: { windowStart: string }) => ({ ...r, windowStart: Date.parse(r.windowStart) }));
    expect(byMinute.size).toBeGreaterThanOrEqual(3);
    expectSameRows(rows, [...byMinute.values()], 'landedHistory by minute');
  });

  it('broker crash mid-stream: every event lands once and the subscription keeps delivering', async () => {
    const table = `${SCHEMA}.x_1s`;
    await gateway(CONFIG('crash', `    landing: { source: warehouse, table: ${table}, window: 1s }`));
    const final = ws('crash', 'window: { tumble: "1s" }, emit: FINAL');
    await subscribers('crash', 1);
    const N = 3_000;
    const events = generateEvents(14, N, { stepMs: 10, jitterMs: 500 });
    const want = referenceWindows([...events, WATERMARK], tumble(1_000), { graceMs: 2_000, groupBy: ['region', 'channel'] }).closed;
    expect(want.reduce((n, w) => n + w.events, 0)).toBe(N);

    let next = await produceInOrder(producer, topicOf('crash'), json(events.slice(0, N / 2)), 0, 100);
    await waitFor('a third of the events consumed', async () => (await metric('tributary_stream_events_total', 'crash')) > N / 3, KAFKA_MS);
    await producer.disconnect();
    await kafka!.broker!.kill();
    await kafka!.broker!.restart();
    producer = client.producer(); // fresh: nothing of the old one is retried into the new broker
    await producer.connect();
    next = await produceInOrder(producer, topicOf('crash'), json([...events.slice(N / 2), WATERMARK]), next, 100);
    expect(next).toBe(N + 1);

    await waitFor(`${N} orders landed`, async () => (await landedOrders(table)) === N, KAFKA_MS);
    await waitForFinals(final, want.length, 'windows across the crash');
    expectFinals(final.versions, want, 'FINAL windows across the broker crash');
    expect(final.errors).toEqual([]);
    // A later event closes the watermark's window: once that lands, nothing else can.
    await produceInOrder(producer, topicOf('crash'), json([{ ...WATERMARK, ts: WATERMARK.ts + 60_000 }]), next);
    await waitFor('the watermark window landed', async () => (await landedOrders(table)) === N + 1, KAFKA_MS);
    const { rows } = await admin!.query(
      `select (extract(epoch from window_start) * 1000)::float8 as start, channel, region, revenue_sum as revenue, orders_count as orders, "maxAmount_max" as "maxAmount"
       from ${table} where window_start < $1 order by window_start, channel, region`,
      [new Date(WATERMARK.ts)],
    );
    expectSameRows(rows, flatten(want), 'landed windows after the crash');
  });

  async function landedOrders(table: string): Promise<number> {
    const { rows } = await admin!.query(`select coalesce(sum(orders_count), 0)::float8 as n from ${table}`);
    return rows[0].n;
  }
});

function flatten(windows: readonly ReferenceWindow[]) {
  return windows.flatMap((w) => w.rows.map((r) => ({ start: w.start, channel: r.channel, region: r.region, revenue: r.revenue, orders: r.orders, maxAmount: r.maxAmount })));
}

async function offsetsOf(client: Kafka, topic: string) {
  const kafkaAdmin = client.admin();
  await kafkaAdmin.connect();
  try {
    return await kafkaAdmin.fetchTopicOffsets(topic);
  } finally {
    await kafkaAdmin.disconnect();
  }
}

/** A raw graphql-transport-ws client that subscribes, then stops reading its socket. */
async function pausedSubscription(httpUrl: string, query: string): Promise<WebSocket> {
  const socket = new WebSocket(httpUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  return socket;
}
