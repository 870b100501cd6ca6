/**
 * Evolving event schemas over a real Kafka broker (issue 13, item 5). Three producer
 * versions share one topic: v1 flat `amount`, v2 with `amount` renamed `total` (an alias),
 * v3 nested (`/payload/amount`, `/meta/time`) with `schemaVersion: 3` choosing its mapping.
 * The windows must equal a reference computed here from the events as produced; an event
 * that misses a required field is dead-lettered with its reason; an extra field is counted
 * in tributary_stream_unknown_fields_total. A second stream has its mapping reloaded while
 * a window is open (reloadStreamMappings, what SIGHUP runs): the window keeps what it counted
 * under the old mapping and takes the events only the new one can read.
 *
 * Event times are near the wall clock (a few minutes back), since maxSkew is measured
 * against it; each stream has its own topic, names are unique per run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloadStreamMappings } from '../server/index.ts';
import { freshRequest, startCliServer } from './support/cliServer.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { readMetric } from './support/readMetric.ts';
import { generateEvents, referenceWindows, type TestEvent } from './support/referenceWindows.ts';
import { expectFinals, subscribeWs, waitForFinals, type StreamRecording } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { waitFor } from './support/waitFor.ts';

const kafka = await connectTestKafka();
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const topicOf = (name: string) => `schema-evolution-${name}-${RUN}`;
const KAFKA_MS = 30_000;
const GRACE_MS = 2_000;
/** Five minutes back, on a 10 s boundary: event times within maxSkew (1h) of the wall clock. */
const BASE = Math.floor((Date.now() - 300_000) / 10_000) * 10_000;
const ROWS = 'region channel revenue orders maxAmount';
const TUMBLE = { kind: 'tumble', sizeMs: 10_000 } as const;
const GROUP_BY = ['region', 'channel'] as const;

/** The mapping of the stream `evolving`, and of `remapped` once reloaded. */
const FULL_MAPPING = `    fields:
      amount: { aliases: [total] }
      channel: { default: web }
    version:
      field: schemaVersion
      mappings:
        "3": { ts: { path: /meta/time }, region: { path: /payload/region }, channel: { path: /payload/channel, default: web }, amount: { path: /payload/amount } }`;
/** The mapping `remapped` starts with: it knows v1 and v2, not v3. */
const V2_MAPPING = `    fields:
      amount: { aliases: [total] }`;

const CONFIG = (remapped: string, remappedGrace = '2s') => `
sources: {}
datasets: {}
streams:
  evolving:
    kafka: { brokers: "${kafka!.brokers}", topic: "${topicOf('evolving')}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: 2s
    deadLetterTopic: "${topicOf('evolving.dlq')}"
${FULL_MAPPING}
  remapped:
    kafka: { brokers: "${kafka!.brokers}", topic: "${topicOf('remapped')}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" }, maxAmount: { max: amount } }
    grace: ${remappedGrace}
${remapped}
`;

/** An event as producer version 1, 2 or 3 writes it; v3 leaves out channel "web" (the default). */
function encode(e: TestEvent, version: 1 | 2 | 3, extra: Record<string, unknown> = {}): string {
  switch (version) {
    case 1:
      return JSON.stringify({ ts: e.ts, region: e.region, channel: e.channel, amount: e.amount, ...extra });
    case 2:
      return JSON.stringify({ ts: e.ts, region: e.region, channel: e.channel, total: e.amount, ...extra });
    case 3:
      return JSON.stringify({
        schemaVersion: 3,
        meta: { time: e.ts },
        payload: { region: e.region, amount: e.amount, ...(e.channel === 'web' ? {} : { channel: e.channel }) },
        ...extra,
      });
  }
}

describe.skipIf(!kafka)('evolving event schemas: three producer versions, dead letters, unknown fields, a reload with open windows', () => {
  let client: Kafka;
  let producer: Producer;
  let gw: TestGateway;
  let dir: string;
  const open: StreamRecording[] = [];
  const metric = (name: string, labels: Record<string, string>) => readMetric(gw, name, labels);
  const finals = (stream: string) => {
    const r = subscribeWs(gw.server.url, stream, { query: `subscription { ${stream}(window: { tumble: "10s" }, emit: FINAL) { start end final revision rows { ${ROWS} } } }` });
    open.push(r);
    return r;
  };
  const subscribers = (stream: string, n: number) =>
    waitFor(`${n} subscribers of ${stream}`, async () => (await metric('tributary_subscribers', { stream })) === n, KAFKA_MS);
  const consumed = (stream: string, n: number) =>
    waitFor(`${n} events of ${stream} consumed`, async () => (await metric('tributary_stream_events_total', { stream })) >= n, KAFKA_MS);

  beforeAll(async () => {
    client = testKafkaClient(kafka!.brokers);
    await createTopics(client, ['evolving', 'evolving.dlq', 'remapped'].map(topicOf));
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG(V2_MAPPING));
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-schema-'));
  });

  afterAll(async () => {
    await Promise.all(open.map((r) => r.close()));
    await gw?.close();
    await producer?.disconnect();
    await kafka?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('v1, v2 and v3 events land in the same windows as the reference; a missing field is dead-lettered; an extra field is counted', async () => {
    const final = finals('evolving');
    await subscribers('evolving', 1);
    const events = generateEvents(51, 600, { startTs: BASE, stepMs: 100, jitterMs: 1_000 });
    const watermark: TestEvent = { ts: BASE + 200_000, region: 'east', channel: 'web', amount: 1 };
    const valid = [...events, watermark];
    // Every third event per version; every tenth v1 event carries a field nothing maps.
    let coupons = 0;
    const values = valid.map((e, i) => {
      const version = ((i % 3) + 1) as 1 | 2 | 3;
      const coupon = version === 1 && i % 10 === 0;
      if (coupon) coupons++;
      return encode(e, version, coupon ? { coupon: `C${i}` } : {});
    });
    // A v2 producer that lost its amount: neither amount nor total, and no default.
    const broken = JSON.stringify({ ts: BASE + 30_000, region: 'east', channel: 'web', price: 12 });
    values.splice(300, 0, broken);
    await produceInOrder(producer, topicOf('evolving'), values, 0);

    const want = referenceWindows(valid, TUMBLE, { graceMs: GRACE_MS, groupBy: [...GROUP_BY] });
    expect(want.late).toBe(0);
    expect(coupons).toBeGreaterThan(10);
    await consumed('evolving', valid.length);
    await waitForFinals(final, want.closed.length, 'evolving FINAL', KAFKA_MS);
    expectFinals(final.versions, want.closed, 'windows over three producer versions');
    expect(final.errors).toEqual([]);
    expect(await metric('tributary_stream_events_total', { stream: 'evolving' })).toBe(valid.length);
    expect(await metric('tributary_stream_bad_messages_total', { stream: 'evolving' })).toBe(1);
    expect(await metric('tributary_stream_unknown_fields_total', { stream: 'evolving', field: '/coupon' })).toBe(coupons);
    expect(await metric('tributary_stream_unknown_fields_total', { stream: 'evolving', field: '/price' })).toBe(1);
    // Nothing else is unknown: every v1, v2 and v3 field is mapped.
    expect(await metric('tributary_stream_unknown_fields_total', { stream: 'evolving' })).toBe(coupons + 1);

    const [dead] = await readDeadLetters(client, topicOf('evolving.dlq'), 1);
    expect(dead).toEqual({
      value: broken,
      reason: 'required field "amount" is missing: no value at /amount, /total and no default (set streams.evolving.fields.amount.default, or an alias for its new name)',
      sourceTopic: topicOf('evolving'),
      partition: '0',
      offset: '300',
    });
    console.log(`schema evolution: ${valid.length} events (v1/v2/v3), ${want.closed.length} windows equal to the reference, 1 dead letter, ${coupons} unknown /coupon fields counted`);
  });

  it('a reload swaps only the reader: the open window keeps its v1/v2 events and takes v3 events from then on', async () => {
    const final = finals('remapped');
    await subscribers('remapped', 1);
    // Phase 1, read with the v1/v2 mapping: windows [0, 10s) and [10s, 20s) close, [20s, 30s) stays open.
    const before = generateEvents(61, 300, { startTs: BASE, stepMs: 100, jitterMs: 500 });
    const unreadable = encode({ ts: BASE + 29_000, region: 'east', channel: 'web', amount: 7 }, 3); // v3 before the reload: no amount
    let next = await produceInOrder(producer, topicOf('remapped'), [...before.map((e, i) => encode(e, i % 2 === 0 ? 1 : 2)), unreadable], 0);
    await consumed('remapped', before.length);
    await waitFor('the v3 event refused by the old mapping', async () => (await metric('tributary_stream_bad_messages_total', { stream: 'remapped' })) === 1, KAFKA_MS);
    const closedBefore = referenceWindows(before, TUMBLE, { graceMs: GRACE_MS, groupBy: [...GROUP_BY] }).closed;
    await waitForFinals(final, closedBefore.length, 'remapped FINAL before the reload', KAFKA_MS);
    expect(closedBefore.map((w) => w.start - BASE)).toEqual([0, 10_000]);

    // A file that does not validate changes nothing; one that changes grace is refused for that stream.
    const file = path.join(dir, 'tributary.yaml');
    await writeFile(file, CONFIG(FULL_MAPPING.replace('default: web', 'default: 5')));
    const invalid = await reloadStreamMappings(file, gw.gateway.config, gw.gateway.streams);
    expect(invalid.invalid).toMatch(/streams\.remapped\.fields\.channel\.default: dimension channel reads field "channel" as a string or null; got 5/);
    await writeFile(file, CONFIG(FULL_MAPPING, '3s'));
    const refused = await reloadStreamMappings(file, gw.gateway.config, gw.gateway.streams);
    expect(refused.streams.find((s) => s.stream === 'remapped')).toEqual({
      stream: 'remapped',
      applied: false,
      reason: 'stream remapped: graceMs changed; only fields: and version: are applied while the gateway runs (restart for the rest)',
    });
    await writeFile(file, CONFIG(FULL_MAPPING));
    const reloaded = await reloadStreamMappings(file, gw.gateway.config, gw.gateway.streams);
    expect(reloaded).toEqual({ invalid: null, streams: [{ stream: 'evolving', applied: true }, { stream: 'remapped', applied: true }] });

    // Phase 2, v3 only (unreadable before the reload), starting inside the open window.
    const after = generateEvents(62, 300, { startTs: BASE + 25_000, stepMs: 100, jitterMs: 500 });
    const watermark: TestEvent = { ts: BASE + 200_000, region: 'east', channel: 'web', amount: 1 };
    next = await produceInOrder(producer, topicOf('remapped'), [...after, watermark].map((e) => encode(e, 3)), next);
    const all = [...before, ...after, watermark];
    const want = referenceWindows(all, TUMBLE, { graceMs: GRACE_MS, groupBy: [...GROUP_BY] });
    expect(want.late).toBe(0);
    await consumed('remapped', all.length);
    await waitForFinals(final, want.closed.length, 'remapped FINAL after the reload', KAFKA_MS);
    expectFinals(final.versions, want.closed, 'windows across a reload of the mapping');
    const straddling = want.closed.find((w) => w.start === BASE + 20_000)!;
    const fromBefore = before.filter((e) => e.ts >= BASE + 20_000 && e.ts < BASE + 30_000).length;
    expect(fromBefore).toBeGreaterThan(0);
    expect(straddling.events).toBeGreaterThan(fromBefore); // v1/v2 events before the reload and v3 events after, in one window
    expect(await metric('tributary_stream_bad_messages_total', { stream: 'remapped' })).toBe(1);
    console.log(`schema reload: window [20s, 30s) closed with ${fromBefore} events read before the reload and ${straddling.events - fromBefore} after; ${next} records`);
  });

  it('SIGHUP on `tributary serve` reloads the mapping from the config file, and refuses other stream changes without stopping', async () => {
    const file = path.join(dir, 'cli.yaml');
    await writeFile(file, CONFIG(V2_MAPPING));
    const cli = await startCliServer(['serve', '--config', file, '--port', '0']);
    try {
      await writeFile(file, CONFIG(FULL_MAPPING));
      cli.child.kill('SIGHUP');
      await waitFor('the reload logged', () => /"stream":"remapped".*SIGHUP: stream schema mapping reloaded; open windows kept/.test(cli.stderr()), KAFKA_MS);
      await writeFile(file, CONFIG(FULL_MAPPING, '3s'));
      cli.child.kill('SIGHUP');
      await waitFor('the refusal logged', () => cli.stderr().includes('SIGHUP: stream remapped: graceMs changed; only fields: and version: are applied while the gateway runs (restart for the rest)'), KAFKA_MS);
      const answer = await freshRequest(cli.url, 'POST', { query: '{ __typename }' });
      expect(answer.status).toBe(200); // still serving
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });
});

interface DeadLetter {
  readonly value: string;
  readonly reason: string;
  readonly sourceTopic: string;
  readonly partition: string;
  readonly offset: string;
}

/** The first `n` records of a dead-letter topic: the original value and the headers the feed set. */
async function readDeadLetters(client: Kafka, topic: string, n: number): Promise<DeadLetter[]> {
  const dead: DeadLetter[] = [];
  const consumer = client.consumer({ groupId: `dlq-reader-${RUN}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => message.headers?.[name]?.toString() ?? '';
        dead.push({ value: message.value?.toString() ?? '', reason: header('reason'), sourceTopic: header('source-topic'), partition: header('partition'), offset: header('offset') });
      },
    });
    await waitFor(`${n} dead letters`, () => dead.length >= n, KAFKA_MS);
  } finally {
    await consumer.disconnect();
  }
  return dead;
}
