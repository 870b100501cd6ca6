/**
 * `since` on event time, with replay from Kafka (issue 13, item 4), over a real broker.
 * Records carry Kafka timestamps equal to their event times (as a producer stamping events
 * when they happen does), so offsets by time find them. Each stream has its own topic.
 *
 * - A relative `since` counts back from the stream's time: on a topic whose events are a
 *   year old, `since: "-1h"` gives the last hour of event time, plus the events produced
 *   after the subscription started.
 * - An absolute `since` older than memory (retention 1m) replays 50,000 events from Kafka
 *   and joins the live feed while more are produced: every event counted exactly once.
 * - A `since` older than the oldest record left in the topic is BAD_USER_INPUT naming it.
 *
 * Every subscription is compared with test/support/referenceWindows.ts.
 */
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInstant } from '../planner/index.ts';
import { captureLog, type CapturedLog } from './support/captureLog.ts';
import { connectTestKafka, createTopics, testKafkaClient } from './support/kafka.ts';
import { readMetric } from './support/readMetric.ts';
import { generateEvents, referenceWindows, type TestEvent } from './support/referenceWindows.ts';
import { expectFinals, subscribeWs, waitForFinals, type StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const STREAMS = ['yearOld', 'replayed', 'trimmed'] as const;
type Stream = (typeof STREAMS)[number];
const topicOf = (stream: Stream) => `since-${stream}-${RUN}`;
const GRACE_MS = 2_000;
const KAFKA_MS = 60_000;
const ROWS = 'region revenue orders maxAmount';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** On a 10 s boundary. */
const aligned = (ms: number) => Math.floor(ms / 10_000) * 10_000;

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
    retention: ${name === 'replayed' ? '1m # memory holds little: the replay reads Kafka' : '1h'}`,
).join('\n')}
`;

describe.skipIf(!kafka)('since on event time, with replay from Kafka', () => {
  let client: Kafka;
  let producer: Producer;
  let gw: TestGateway;
  const next = new Map<Stream, number>();
  const open: StreamRecording[] = [];
  const ws = (stream: Stream, args: string) => {
    const r = subscribeWs(gw.server.url, stream, { query: `subscription { ${stream}(${args}) { start end final revision rows { ${ROWS} } } }` });
    open.push(r);
    return r;
  };
  const subscribers = (stream: Stream, n: number) =>
    waitFor(`${n} subscribers of ${stream}`, async () => (await readMetric(gw, 'tributary_subscribers', { stream })) === n, KAFKA_MS);

  /** Produces in order with record timestamp = event time, checking every ack continues at the expected offset. */
  async function produce(stream: Stream, events: readonly TestEvent[], chunk = 1_000): Promise<void> {
    const topic = topicOf(stream);
    for (let i = 0; i < events.length; i += chunk) {
      const messages = events.slice(i, i + chunk).map((e) => ({ value: JSON.stringify(e), timestamp: String(e.ts) }));
      const at = next.get(stream) ?? 0;
      const [ack, ...more] = await producer.send({ topic, acks: -1, messages });
      if (!ack || more.length > 0 || ack.errorCode !== 0 || Number(ack.baseOffset) !== at) throw new Error(`produce to ${topic}: want one ack at offset ${at}, got ${JSON.stringify([ack, ...more])}`);
      next.set(stream, at + messages.length);
    }
  }

  beforeAll(async () => {
    client = testKafkaClient(kafka!.brokers);
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

  it('a relative since counts back from the stream time: the last hour of year-old events, and those produced after', async () => {
    // Three hours of events a year back, one every 10 s; the live feed starts past them
    // (their records are a year old), so the stream's time comes from the topic.
    const base = aligned(Date.now() - 365 * 24 * HOUR);
    const history = generateEvents(11, 3 * 360, { startTs: base, stepMs: 10_000, jitterMs: 1_500 });
    await produce('yearOld', history);
    const streamTime = Math.max(...history.map((e) => e.ts));
    const since = streamTime - HOUR;
    const final = ws('yearOld', 'window: { tumble: "5m" }, emit: FINAL, since: "-1h"');
    await subscribers('yearOld', 1);
    // Half an hour more of event time, produced after the subscription started, and a
    // watermark 10 minutes on that closes every window.
    const later = generateEvents(12, 180, { startTs: history.at(-1)!.ts + 10_000, stepMs: 10_000, jitterMs: 1_500 });
    const watermark: TestEvent = { ts: later.at(-1)!.ts + 10 * MINUTE, region: 'east', channel: 'web', amount: 1 };
    await produce('yearOld', [...later, watermark]);
    const want = referenceWindows([...history, ...later, watermark], { kind: 'tumble', sizeMs: 5 * MINUTE }, { graceMs: GRACE_MS, groupBy: ['region'], sinceMs: since }).closed;
    // 12 windows of the last hour (the first one partly before since) and 6 of the half hour after.
    expect(want.length).toBeGreaterThanOrEqual(18);
    expect(want[0]!.start).toBeLessThanOrEqual(since);
    await waitForFinals(final, want.length, 'year-old stream, since -1h', KAFKA_MS);
    expect(final.errors).toEqual([]);
    expectFinals(final.versions, want, 'since -1h of stream time');
  });

  it('a since older than memory replays 50,000 events from Kafka and joins the live feed: every event counted once', async () => {
    const log: CapturedLog = captureLog();
    try {
      // 50,000 events over ~42 minutes of event time, two hours back: far older than the
      // stream's memory (1 minute of event time), before the feed's start.
      const base = aligned(Date.now() - 2 * HOUR);
      const old = generateEvents(21, 50_000, { startTs: base, stepMs: 50, jitterMs: 1_500 });
      await produce('replayed', old, 5_000);
      const final = ws('replayed', `window: { tumble: "1m" }, emit: FINAL, since: "${new Date(base).toISOString()}"`);
      await subscribers('replayed', 1);
      // 5,000 more (about 4 minutes of event time: memory expires under the replay) while it runs.
      const live = generateEvents(22, 5_000, { startTs: old.at(-1)!.ts + 50, stepMs: 50, jitterMs: 1_500 });
      const watermark: TestEvent = { ts: live.at(-1)!.ts + 5 * MINUTE, region: 'east', channel: 'web', amount: 1 };
      await produce('replayed', [...live, watermark], 250);
      const all = [...old, ...live, watermark];
      const want = referenceWindows(all, { kind: 'tumble', sizeMs: MINUTE }, { graceMs: GRACE_MS, groupBy: ['region'], sinceMs: base });
      expect(want.late).toBe(0);
      // Every event at or after since, but the watermark in its open window.
      const counted = all.filter((e) => e.ts >= base).length - 1;
      expect(want.closed.reduce((n, w) => n + w.events, 0)).toBe(counted);
      await waitForFinals(final, want.closed.length, 'replay of 50,000 events', KAFKA_MS);
      expect(final.errors).toEqual([]);
      expectFinals(final.versions, want.closed, 'replayed from Kafka, then live');
      expect(final.versions.reduce((n, v) => n + v.rows.reduce((m, r) => m + Number(r.orders), 0), 0)).toBe(counted);
      const joined = log.lines.find((l) => /replay since .* joined the live feed/.test(l.msg));
      expect(joined?.msg).toBeDefined();
      console.log(`streamSince: ${joined!.msg}`);
    } finally {
      log.stop();
    }
  });

  it('a since older than the oldest record left in the topic is BAD_USER_INPUT naming that limit', async () => {
    const base = aligned(Date.now() - 3 * HOUR);
    const events = Array.from({ length: 100 }, (_, i): TestEvent => ({ ts: base + i * 1_000, region: 'east', channel: 'web', amount: i + 1 }));
    await produce('trimmed', events);
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: [topicOf('trimmed')] }); // deleteTopicRecords needs it loaded
      await admin.deleteTopicRecords({ topic: topicOf('trimmed'), partitions: [{ partition: 0, offset: '50' }] });
    } finally {
      await admin.disconnect();
    }
    // Times in errors print as everywhere in the API: ISO-8601 with the offset (the stream is in UTC).
    const limit = formatInstant(base + 50_000, 'UTC');
    const refused = ws('trimmed', `window: { tumble: "10s" }, emit: FINAL, since: "${new Date(base).toISOString()}"`);
    await waitFor('the refusal', () => refused.errors.length > 0, KAFKA_MS);
    const [error] = refused.errors[0] as { message: string; extensions: Record<string, unknown> }[];
    expect(error).toMatchObject({
      message: `since: ${formatInstant(base, 'UTC')} is older than the oldest record still in topic ${topicOf('trimmed')} (${limit}): the broker deleted older records (retention). Use a since at or after ${limit}`,
      extensions: { code: 'BAD_USER_INPUT', limit },
    });

    // At the limit, the records left are replayed: windows [base+50s, base+60s) ... closed by a watermark.
    const ok = ws('trimmed', `window: { tumble: "10s" }, emit: FINAL, since: "${limit}"`);
    await subscribers('trimmed', 1);
    const watermark: TestEvent = { ts: base + 200_000, region: 'east', channel: 'web', amount: 1 };
    await produce('trimmed', [watermark]);
    const want = referenceWindows([...events.slice(50), watermark], { kind: 'tumble', sizeMs: 10_000 }, { graceMs: GRACE_MS, groupBy: ['region'], sinceMs: base + 50_000 }).closed;
    await waitForFinals(ok, want.length, 'since at the limit', KAFKA_MS);
    expect(ok.errors).toEqual([]);
    expectFinals(ok.versions, want, 'since at the limit');
  });
});
