/**
 * Streams end to end over a real Kafka broker: events with known event times (2030, far
 * from the wall clock; Kafka record times stay "now") go to a fresh single-partition topic
 * per test; subscriptions over graphql-ws and over SSE must deliver exactly the windows
 * computed independently by test/support/referenceWindows.ts: tumbling, hopping and session
 * windows, emit FINAL and CHANGES, where/orderBy/limit/calc, and `since` (live and replayed).
 * A last "watermark" event far later closes every window.
 */
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { readMetric } from './support/readMetric.ts';
import { BASE_TS, compareByDims, generateEvents, referenceWindows, type Row, type TestEvent, type TestWindow } from './support/referenceWindows.ts';
import { expectChangesConsistent, expectFinals, subscribeSse, subscribeWs, waitForFinals, type StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const STREAMS = ['tumbleOrders', 'hopOrders', 'sessionOrders', 'shapedOrders', 'sinceOrders', 'burstOrders'] as const;
type Stream = (typeof STREAMS)[number];
const topicOf = (stream: Stream) => `streams-${stream}-${RUN}`;
const GRACE_MS = 2_000;
const KAFKA_MS = 60_000;
const WATERMARK: TestEvent = { ts: BASE_TS + 600_000, region: 'east', channel: 'web', amount: 1 };
const ALL_ROWS = 'region channel revenue orders maxAmount';

const CONFIG = (brokers: string) => `
sources: {}
datasets: {}
streams:
${STREAMS.map(
  (name) => `  ${name}:
    kafka: { brokers: "${brokers}", topic: "${topicOf(name)}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: 2s
    retention: 1h
    maxSkew: 3650d # event times are in 2030, ahead of the wall clock`,
).join('\n')}
`;

describe.skipIf(!kafka)('streams: windowed subscriptions over real Kafka, graphql-ws and SSE', () => {
  let gw: TestGateway;
  let producer: Producer;
  const open: StreamRecording[] = [];
  const subscription = (stream: Stream, args: string, rows: string) => ({
    query: `subscription { ${stream}(${args}) { start end final revision rows { ${rows} } } }`,
  });
  const ws = (stream: Stream, args: string, rows = ALL_ROWS) => track(subscribeWs(gw.server.url, stream, subscription(stream, args, rows)));
  const sse = (stream: Stream, args: string, rows = ALL_ROWS) => track(subscribeSse(gw.server.url, stream, subscription(stream, args, rows)));
  const track = (r: StreamRecording) => (open.push(r), r);
  const metric = (name: string, stream: Stream) => readMetric(gw, name, { stream });
  const subscribers = (stream: Stream, n: number) =>
    waitFor(`${n} subscribers of ${stream}`, async () => (await metric('tributary_subscribers', stream)) === n, KAFKA_MS);
  const produce = (stream: Stream, events: readonly TestEvent[]) =>
    produceInOrder(producer, topicOf(stream), events.map((e) => JSON.stringify(e)), 0);
  const noErrors = (...rs: StreamRecording[]) => rs.forEach((r) => expect(r.errors).toEqual([]));

  beforeAll(async () => {
    const client = testKafkaClient(kafka!.brokers);
    await createTopics(client, STREAMS.map(topicOf));
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG(kafka!.brokers));
  });

  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await gw?.close();
    await producer?.disconnect();
    await kafka?.close();
  });

  /** Subscribes FINAL over one transport and CHANGES over the other; checks both against the reference. */
  async function checkWindows(stream: Stream, window: TestWindow, windowArg: string, events: TestEvent[], groupBy: ('region' | 'channel')[], finalOver: 'ws' | 'sse') {
    const rows = [...groupBy, 'revenue orders maxAmount'].join(' ');
    const [finalSub, changesSub] = finalOver === 'ws' ? [ws, sse] : [sse, ws];
    const final = finalSub(stream, `window: ${windowArg}, emit: FINAL`, rows);
    const changes = changesSub(stream, `window: ${windowArg}, emit: CHANGES, throttle: "50ms"`, rows);
    await subscribers(stream, 2);
    await produce(stream, [...events, WATERMARK]);
    const want = referenceWindows([...events, WATERMARK], window, { graceMs: GRACE_MS, groupBy });
    expect(want.closed.length).toBeGreaterThan(5);
    expect(want.late).toBeGreaterThan(0);
    await waitForFinals(final, want.closed.length, `${stream} FINAL`);
    await waitForFinals(changes, want.closed.length, `${stream} CHANGES`);
    noErrors(final, changes);
    expect(final.versions.every((v) => v.final)).toBe(true);
    expectFinals(final.versions, want.closed, `${stream} FINAL over ${finalOver}`);
    expectFinals(changes.finals(), want.closed, `${stream} CHANGES`);
    expectChangesConsistent(changes.versions, `${stream} CHANGES`);
    expect(changes.versions.length).toBeGreaterThan(changes.finals().length);
    // Both subscriptions share one operator (same plan), so late events are counted once.
    expect(await metric('tributary_stream_late_events_total', stream)).toBe(want.late);
    expect(await metric('tributary_stream_events_total', stream)).toBe(events.length + 1);
    return { final, want };
  }

  it('tumbling windows: FINAL over graphql-ws, CHANGES over SSE, equal the reference', async () => {
    const events = generateEvents(1, 600, { stepMs: 100, jitterMs: 1_500, lateShare: 0.03, lateByMs: 15_000 });
    const { final, want } = await checkWindows('tumbleOrders', { kind: 'tumble', sizeMs: 10_000 }, '{ tumble: "10s" }', events, ['region', 'channel'], 'ws');
    // Every accepted event revises its window once: revision 0 at creation, +1 per event.
    expect(final.versions.map((v) => v.revision)).toEqual(want.closed.map((w) => w.events - 1));
  });

  it('hopping windows: FINAL over SSE, CHANGES over graphql-ws, equal the reference', async () => {
    const events = generateEvents(2, 600, { stepMs: 100, jitterMs: 1_500, lateShare: 0.03, lateByMs: 15_000 });
    const hop = { kind: 'hop', sizeMs: 10_000, advanceMs: 5_000 } as const;
    const { final, want } = await checkWindows('hopOrders', hop, '{ hop: { size: "10s", advance: "5s" } }', events, ['region'], 'sse');
    expect(final.versions.map((v) => v.revision)).toEqual(want.closed.map((w) => w.events - 1));
  });

  it('session windows: FINAL over graphql-ws, CHANGES over SSE, equal the reference', async () => {
    // 8 bursts of 50 events 100 ms apart, 20 s from burst to burst (gap 3 s + grace 2 s apart).
    const events = generateEvents(3, 400, { stepMs: 100, jitterMs: 1_500 }).map((e, i) => {
      const nominal = BASE_TS + Math.floor(i / 50) * 20_000 + (i % 50) * 100;
      const late = i % 50 !== 0 && i % 17 === 0; // stamped into the previous, closed burst
      return { ...e, ts: late ? nominal - 20_000 : e.ts - (BASE_TS + i * 100) + nominal };
    });
    await checkWindows('sessionOrders', { kind: 'session', gapMs: 3_000 }, '{ session: { gap: "3s" } }', events, ['channel'], 'ws');
  });

  it('where, orderBy, limit and calc shape each subscription of a stream', async () => {
    const events = generateEvents(4, 600, { stepMs: 100, jitterMs: 1_500, lateShare: 0.03, lateByMs: 15_000 });
    const top = ws(
      'shapedOrders',
      'window: { tumble: "10s" }, emit: FINAL, where: { channel: { ne: "web" }, region: { in: ["east", "north", "south"] } }, orderBy: [{ revenue: DESC }], limit: 2',
      'region revenue orders maxAmount perOrder: calc(expr: "revenue / orders")',
    );
    const best = sse(
      'shapedOrders',
      'window: { tumble: "10s" }, emit: FINAL, where: { OR: [{ region: { eq: "west" } }, { channel: { startsWith: "re" } }] }, orderBy: [{ maxAmount: DESC }, { channel: ASC }], limit: 1',
      'channel revenue orders maxAmount score: calc(expr: "revenue * 2 - orders")',
    );
    await subscribers('shapedOrders', 2);
    await produce('shapedOrders', [...events, WATERMARK]);
    const shaped = (where: (e: TestEvent) => boolean, groupBy: ('region' | 'channel')[], order: (a: Row, b: Row) => number, limit: number, calc: (r: Row) => Row) =>
      referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 10_000 }, { graceMs: GRACE_MS, groupBy, where }).closed.map((w) => ({
        ...w,
        rows: [...w.rows].sort(order).slice(0, limit).map(calc),
      }));
    const wantTop = shaped(
      (e) => e.channel !== 'web' && ['east', 'north', 'south'].includes(e.region),
      ['region'],
      (a, b) => Number(b.revenue) - Number(a.revenue) || compareByDims(a, b, ['region']),
      2,
      (r) => ({ ...r, perOrder: Number(r.revenue) / Number(r.orders) }),
    );
    const wantBest = shaped(
      (e) => e.region === 'west' || e.channel.startsWith('re'),
      ['channel'],
      (a, b) => Number(b.maxAmount) - Number(a.maxAmount) || compareByDims(a, b, ['channel']),
      1,
      (r) => ({ ...r, score: Number(r.revenue) * 2 - Number(r.orders) }),
    );
    await waitForFinals(top, wantTop.length, 'top 2 regions');
    await waitForFinals(best, wantBest.length, 'best channel');
    noErrors(top, best);
    expect(wantTop.every((w) => w.rows.length === 2)).toBe(true);
    expectFinals(top.versions, wantTop, 'top 2 regions by revenue (graphql-ws)');
    expectFinals(best.versions, wantBest, 'channel with the largest order (SSE)');
  });

  it('since: only events at or after it count, live and when replayed from retained history', async () => {
    const events = generateEvents(5, 600, { stepMs: 100, jitterMs: 1_500, lateShare: 0.03, lateByMs: 15_000 });
    const liveSince = BASE_TS + 30_000;
    const live = ws('sinceOrders', `window: { tumble: "10s" }, emit: FINAL, since: "${new Date(liveSince).toISOString()}"`);
    await subscribers('sinceOrders', 1);
    await produce('sinceOrders', [...events, WATERMARK]);
    const want = (sinceMs: number) => referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 10_000 }, { graceMs: GRACE_MS, groupBy: ['region', 'channel'], sinceMs }).closed;
    await waitForFinals(live, want(liveSince).length, 'live since');
    expect(want(liveSince)[0]!.start).toBe(liveSince);
    expectFinals(live.versions, want(liveSince), 'live since (graphql-ws)');

    // Everything is consumed; a new plan with an earlier `since` replays it from memory.
    const replaySince = BASE_TS + 20_000;
    const replay = sse('sinceOrders', `window: { tumble: "10s" }, emit: FINAL, since: "${new Date(replaySince).toISOString()}"`);
    await subscribers('sinceOrders', 2);
    await waitForFinals(replay, want(replaySince).length, 'replayed since', 20_000);
    noErrors(live, replay);
    expectFinals(replay.versions, want(replaySince), 'replayed since (SSE)');
  });

  it('a FINAL subscriber that keeps up gets every window, also when one batch closes hundreds', async () => {
    // 2,000 events over 400 one-second windows in one produce request: one append, one
    // fetched batch, ~400 windows closing at once (as when a feed catches up on a backlog).
    const events = generateEvents(6, 2_000, { stepMs: 200, jitterMs: 500 });
    const final = ws('burstOrders', 'window: { tumble: "1s" }, emit: FINAL');
    await subscribers('burstOrders', 1);
    const next = await produceInOrder(producer, topicOf('burstOrders'), events.map((e) => JSON.stringify(e)), 0, events.length);
    await produceInOrder(producer, topicOf('burstOrders'), [JSON.stringify(WATERMARK)], next);
    const want = referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 1_000 }, { graceMs: GRACE_MS, groupBy: ['region', 'channel'] }).closed;
    expect(want.length).toBe(400);
    await waitFor('every event consumed', async () => (await metric('tributary_stream_events_total', 'burstOrders')) === events.length + 1, KAFKA_MS);
    await waitForFinals(final, want.length, 'burst of closing windows', 10_000);
    expectFinals(final.versions, want, 'FINAL windows of a burst');
  });
});
