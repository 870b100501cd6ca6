/**
 * Issue 10: one execution per subscription plan. Subscribers of one stream plan with the
 * same document and variables, over graphql-ws (many subscriptions per socket) and SSE
 * (Yoga's distinct connections and graphql-sse's single connection), all receive every
 * final window, and each window version is executed once for all of them: a spy on the
 * `calc` resolver (called once per row per execution) counts the executions. Over graphql-ws,
 * each version goes straight to the socket (DirectRoute) as the frame graphql-ws would send.
 */
import type { Producer } from 'kafkajs';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { sharedPayloadGroups } from '../resolvers/sharedPayloads.ts';
import { DirectRoute, subscriptionResults } from '../server/sharedExecution/index.ts';
import { connectTestKafka, createTopics, produceInOrder, testKafkaClient } from './support/kafka.ts';
import { readMetric } from './support/readMetric.ts';
import { BASE_TS, generateEvents, referenceWindows, type TestEvent } from './support/referenceWindows.ts';
import { expectChangesConsistent, subscribeSse, waitForFinals, type StreamRecording, type WindowVersion } from './support/streamClients.ts';
import { startTestGateway, type TestGateway } from './support/testGateway.ts';
import { hsToken, TEST_AUDIENCE, TEST_ISSUER, TEST_SECRET } from './support/tokens.ts';
import { waitFor } from './support/waitFor.ts';

/** Every call of the row type's `calc` resolver: one per row per execution of a window version. */
const calcCalls = vi.hoisted(() => ({ rows: [] as object[] }));
vi.mock('../resolvers/calcRows.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../resolvers/calcRows.ts')>();
  return {
    ...original,
    resolveCalc: (row: Parameters<typeof original.resolveCalc>[0], args: Parameters<typeof original.resolveCalc>[1]) => {
      calcCalls.rows.push(row);
      return original.resolveCalc(row, args);
    },
  };
});

const kafka = await connectTestKafka();
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const STREAMS = ['fanFinal', 'fanVariables', 'fanChanges', 'fanRoles', 'fanDirect'] as const;
type Stream = (typeof STREAMS)[number];
const topicOf = (stream: Stream) => `i10fan-${stream}-${RUN}`;
const KAFKA_MS = 60_000;
const GRACE_MS = 1_000;
const WATERMARK: TestEvent = { ts: BASE_TS + 600_000, region: 'east', channel: 'web', amount: 1 };

const CONFIG = (brokers: string) => `
sources: {}
datasets: {}
streams:
${STREAMS.map(
  (name) => `  ${name}:
    kafka: { brokers: "${brokers}", topic: "${topicOf(name)}" }
    timestamp: ts
    dimensions: { region: { type: string }, channel: { type: string } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    grace: 1s
    retention: 1h
    maxSkew: 3650d`,
).join('\n')}
`;

/** A recording per subscription, over `sockets` graphql-ws connections with `perSocket` subscriptions each. */
function subscribeManyWs(url: string, field: string, request: { query: string; variables?: Record<string, unknown> }, sockets: number, perSocket: number, token?: string) {
  const clients: WsClient[] = [];
  const recordings: StreamRecording[] = [];
  for (let s = 0; s < sockets; s++) {
    const connectionParams = token ? { authorization: `Bearer ${token}` } : undefined;
    const client = createWsClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams });
    clients.push(client);
    for (let i = 0; i < perSocket; i++) {
      const versions: WindowVersion[] = [];
      const errors: unknown[] = [];
      const stop = client.subscribe(request, {
        next: (result) => {
          if (result.errors) errors.push(result.errors);
          const v = (result.data as Record<string, WindowVersion> | undefined)?.[field];
          if (v) versions.push(v);
        },
        error: (error) => errors.push(error),
        complete: () => {},
      });
      recordings.push({ versions, errors, finals: () => versions.filter((v) => v.final), close: async () => stop() });
    }
  }
  return { recordings, close: () => Promise.all(clients.map((c) => c.dispose())) };
}

/** A graphql-transport-ws socket driven by hand: raw frames by operation id. */
async function rawSocket(url: string) {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  const frames = new Map<string, { type: string; payload?: unknown }[]>();
  const raw: string[] = [];
  socket.on('message', (data) => {
    const text = String(data);
    raw.push(text);
    const message = JSON.parse(text) as { id?: string; type: string; payload?: unknown };
    if (message.id === undefined) return;
    if (!frames.has(message.id)) frames.set(message.id, []);
    frames.get(message.id)!.push({ type: message.type, payload: message.payload });
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const acked = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  const nexts = (id: string) => (frames.get(id) ?? []).filter((f) => f.type === 'next');
  return {
    socket,
    raw,
    nexts,
    subscribe: (id: string, query: string) => socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query } })),
    complete: (id: string) => socket.send(JSON.stringify({ id, type: 'complete' })),
  };
}

/** graphql-sse's client in single connection mode, `n` operations on its one stream. */
function subscribeManySingleSse(url: string, field: string, request: { query: string }, n: number) {
  const client = createSseClient({ url, singleConnection: true, retryAttempts: 0 });
  const recordings: StreamRecording[] = [];
  const stops: (() => void)[] = [];
  for (let i = 0; i < n; i++) {
    const versions: WindowVersion[] = [];
    const errors: unknown[] = [];
    stops.push(
      client.subscribe(request, {
        next: (result) => {
          if (result.errors) errors.push(result.errors);
          const v = (result.data as Record<string, WindowVersion> | undefined)?.[field];
          if (v) versions.push(v);
        },
        error: (error) => errors.push(error),
        complete: () => {},
      }),
    );
    recordings.push({ versions, errors, finals: () => versions.filter((v) => v.final), close: async () => {} });
  }
  return {
    recordings,
    close: async () => {
      for (const stop of stops) stop();
      client.dispose();
    },
  };
}

describe.skipIf(!kafka)('one execution per subscription plan (graphql-ws and SSE)', () => {
  let gw: TestGateway;
  let producer: Producer;
  const closers: (() => Promise<unknown>)[] = [];
  const subscribers = (stream: Stream, n: number) =>
    waitFor(`${n} subscribers of ${stream}`, async () => (await readMetric(gw, 'tributary_subscribers', { stream })) === n, KAFKA_MS);
  const produce = (stream: Stream, events: readonly TestEvent[]) => produceInOrder(producer, topicOf(stream), events.map((e) => JSON.stringify(e)), 0);

  beforeAll(async () => {
    const client = testKafkaClient(kafka!.brokers);
    await createTopics(client, STREAMS.map(topicOf));
    producer = client.producer();
    await producer.connect();
    gw = await startTestGateway(CONFIG(kafka!.brokers));
  });

  afterAll(async () => {
    await Promise.all(closers.map((c) => c()));
    await gw?.close();
    await producer?.disconnect();
    await kafka?.close();
  });

  it('50 graphql-ws subscriptions on 5 sockets and 10 SSE subscriptions of one plan: every final window to each, one execution per window version', async () => {
    const request = { query: 'subscription { fanFinal(window: { tumble: "5s" }, emit: FINAL) { start end final revision rows { region orders revenue double: calc(expr: "orders * 2") } } }' };
    const ws = subscribeManyWs(gw.server.url, 'fanFinal', request, 5, 10);
    const distinct = Array.from({ length: 5 }, () => subscribeSse(gw.server.url, 'fanFinal', request));
    const single = subscribeManySingleSse(gw.server.url, 'fanFinal', request, 5);
    closers.push(ws.close, ...distinct.map((r) => r.close), single.close);
    const all = [...ws.recordings, ...distinct, ...single.recordings];
    await subscribers('fanFinal', 60);

    const calcsBefore = calcCalls.rows.length;
    const executionsBefore = subscriptionResults.executions;
    // Whole results of this stream being serialized: once per version however many
    // graphql-ws and SSE subscribers receive it (Yoga's SSE and graphql-sse print their own frames around it).
    let serialized = 0;
    const stringify = JSON.stringify;
    const spy = vi.spyOn(JSON, 'stringify').mockImplementation(function (this: unknown, ...args: Parameters<typeof JSON.stringify>) {
      const value = args[0] as { data?: Record<string, unknown> } | null;
      if (value && typeof value === 'object' && value.data && 'fanFinal' in value.data) serialized += 1;
      return stringify.apply(JSON, args);
    });
    const events = generateEvents(11, 300, { stepMs: 100, jitterMs: 500 });
    await produce('fanFinal', [...events, WATERMARK]);
    const want = referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 5_000 }, { graceMs: GRACE_MS, groupBy: ['region'] }).closed;
    expect(want.length).toBeGreaterThan(4);
    try {
      for (const [i, r] of all.entries()) await waitForFinals(r, want.length, `subscriber ${i}`);
    } finally {
      spy.mockRestore();
    }

    for (const r of all) expect(r.errors).toEqual([]);
    const first = JSON.stringify(all[0]!.finals());
    for (const r of all) expect(JSON.stringify(r.finals())).toBe(first);
    expect(all[0]!.finals().map((v) => Date.parse(v.start))).toEqual(want.map((w) => w.start));
    for (const v of all[0]!.finals()) for (const row of v.rows) expect(row.double).toBe(Number(row.orders) * 2);

    // One execution per final window version for all 60 subscribers (it was 60 before).
    const rowsDelivered = all[0]!.finals().reduce((n, v) => n + v.rows.length, 0);
    expect(calcCalls.rows.length - calcsBefore).toBe(rowsDelivered);
    expect(subscriptionResults.executions - executionsBefore).toBe(want.length);
    expect(serialized).toBe(want.length);

    await Promise.all([ws.close(), ...distinct.map((r) => r.close()), single.close()]);
    await subscribers('fanFinal', 0);
    // Nothing is kept for a plan nobody subscribes to.
    await waitFor('shared groups to be released', () => subscriptionResults.size === 0 && sharedPayloadGroups() === 0, 10_000);
  });

  it('different variables execute separately, and share the window payload', async () => {
    const query = 'subscription ($noEnd: Boolean!) { fanVariables(window: { tumble: "5s" }, emit: FINAL) { start end @skip(if: $noEnd) final rows { region orders t: calc(expr: "orders + 1") } } }';
    const withEnd = subscribeManyWs(gw.server.url, 'fanVariables', { query, variables: { noEnd: false } }, 2, 5);
    const withoutEnd = subscribeManyWs(gw.server.url, 'fanVariables', { query, variables: { noEnd: true } }, 2, 5);
    closers.push(withEnd.close, withoutEnd.close);
    await subscribers('fanVariables', 20);
    const calcsBefore = calcCalls.rows.length;
    const executionsBefore = subscriptionResults.executions;
    const events = generateEvents(12, 200, { stepMs: 100, jitterMs: 500 });
    await produce('fanVariables', [...events, WATERMARK]);
    const want = referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 5_000 }, { graceMs: GRACE_MS, groupBy: ['region'] }).closed;
    for (const r of [...withEnd.recordings, ...withoutEnd.recordings]) await waitForFinals(r, want.length, 'fanVariables');
    for (const r of [...withEnd.recordings, ...withoutEnd.recordings]) expect(r.errors).toEqual([]);
    expect(withEnd.recordings.every((r) => r.finals().every((v) => typeof v.end === 'string'))).toBe(true);
    expect(withoutEnd.recordings.every((r) => r.finals().every((v) => !('end' in v)))).toBe(true);

    // Two executions per window version (one per variables), over the same payload rows.
    const rows = withEnd.recordings[0]!.finals().reduce((n, v) => n + v.rows.length, 0);
    const called = calcCalls.rows.slice(calcsBefore);
    expect(called.length).toBe(2 * rows);
    expect(new Set(called).size).toBe(rows);
    expect(subscriptionResults.executions - executionsBefore).toBe(2 * want.length);
    await Promise.all([withEnd.close(), withoutEnd.close()]);
    await subscribers('fanVariables', 0);
  });

  it('CHANGES subscribers sharing a plan keep their own throttle: the slow one conflates on its own', async () => {
    const doc = (throttle: string) => ({ query: `subscription { fanChanges(window: { tumble: "5s" }, emit: CHANGES, throttle: "${throttle}") { start end final revision rows { region orders } } }` });
    const fast = subscribeManyWs(gw.server.url, 'fanChanges', doc('20ms'), 1, 3);
    const slow = subscribeManyWs(gw.server.url, 'fanChanges', doc('2s'), 1, 3);
    closers.push(fast.close, slow.close);
    await subscribers('fanChanges', 6);
    const events = generateEvents(13, 300, { stepMs: 50, jitterMs: 0 });
    // Produced in small chunks, so the operator sees many batches while the slow throttle holds.
    const next = await produceInOrder(producer, topicOf('fanChanges'), events.map((e) => JSON.stringify(e)), 0, 10);
    await produceInOrder(producer, topicOf('fanChanges'), [JSON.stringify(WATERMARK)], next);
    const want = referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 5_000 }, { graceMs: GRACE_MS, groupBy: ['region'] }).closed;
    for (const r of [...fast.recordings, ...slow.recordings]) await waitForFinals(r, want.length, 'fanChanges');
    for (const r of [...fast.recordings, ...slow.recordings]) {
      expect(r.errors).toEqual([]);
      expectChangesConsistent(r.versions, 'fanChanges');
      expect(JSON.stringify(r.finals())).toBe(JSON.stringify(fast.recordings[0]!.finals()));
    }
    const nonFinal = (r: StreamRecording) => r.versions.filter((v) => !v.final).length;
    for (const s of slow.recordings) expect(nonFinal(s)).toBeLessThan(Math.min(...fast.recordings.map(nonFinal)));
    await Promise.all([fast.close(), slow.close()]);
    await subscribers('fanChanges', 0);
    await waitFor('shared groups to be released', () => subscriptionResults.size === 0 && sharedPayloadGroups() === 0, 10_000);
  });

  it('callers of different roles, or of one role under different row policies, never share a result', async () => {
    const auth = await startTestGateway(`
auth: { jwt: { secret: "${TEST_SECRET}", issuer: "${TEST_ISSUER}", audience: ${TEST_AUDIENCE} } }
${CONFIG(kafka!.brokers)}
roles:
  admin: "*"
  tenant:
    fanRoles: { rows: { region: { in: "$claims.regions" } }, members: [region, channel, revenue, orders] }
`);
    closers.push(() => auth.close());
    const request = { query: 'subscription { fanRoles(window: { tumble: "5s" }, emit: FINAL) { start final rows { region orders } } }' };
    const callers = {
      admin: await hsToken({ role: 'admin' }),
      eastNorth: await hsToken({ sub: 'a', role: 'tenant', regions: ['east', 'north'] }),
      eastNorthToo: await hsToken({ sub: 'b', role: 'tenant', regions: ['east', 'north'] }),
      south: await hsToken({ sub: 'c', role: 'tenant', regions: ['south'] }),
    };
    const subs = Object.fromEntries(Object.entries(callers).map(([name, token]) => [name, subscribeManyWs(auth.server.url, 'fanRoles', request, 1, 3, token)]));
    for (const sub of Object.values(subs)) closers.push(sub.close);
    await waitFor('12 subscribers of fanRoles', async () => (await readMetric(auth, 'tributary_subscribers', { stream: 'fanRoles' })) === 12, KAFKA_MS);
    const executionsBefore = subscriptionResults.executions;
    const events = generateEvents(14, 200, { stepMs: 100, jitterMs: 500 });
    await produce('fanRoles', [...events, WATERMARK]);
    const windowsOf = (regions: readonly string[] | null) =>
      referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 5_000 }, { graceMs: GRACE_MS, groupBy: ['region'], where: (e) => regions === null || regions.includes(e.region) }).closed.length;
    const want = { admin: windowsOf(null), eastNorth: windowsOf(['east', 'north']), eastNorthToo: windowsOf(['east', 'north']), south: windowsOf(['south']) };
    for (const [name, sub] of Object.entries(subs)) for (const r of sub.recordings) await waitForFinals(r, want[name as keyof typeof want], `fanRoles ${name}`);
    for (const sub of Object.values(subs)) for (const r of sub.recordings) expect(r.errors).toEqual([]);
    const regionsOf = (name: string) => new Set(subs[name]!.recordings.flatMap((r) => r.finals().flatMap((v) => v.rows.map((row) => row.region))));
    expect([...regionsOf('admin')].sort()).toEqual(['east', 'north', 'south', 'west']);
    expect([...regionsOf('eastNorth')].sort()).toEqual(['east', 'north']);
    expect([...regionsOf('eastNorthToo')].sort()).toEqual(['east', 'north']);
    expect([...regionsOf('south')]).toEqual(['south']);
    // One execution per window version and group: the admin role's schema, and the tenant
    // role's under two row policies; the two callers with equal claims share theirs.
    expect(subscriptionResults.executions - executionsBefore).toBe(want.admin + want.eastNorth + want.south);
    await Promise.all(Object.values(subs).map((sub) => sub.close()));
    await waitFor('shared groups to be released', () => subscriptionResults.size === 0 && sharedPayloadGroups() === 0, 10_000);
  });
  it('graphql-ws versions go straight to the socket as graphql-ws frames; complete and close release everything', async () => {
    const query = 'subscription { fanDirect(window: { tumble: "5s" }, emit: FINAL) { start end final rows { region orders } } }';
    const [one, two] = [await rawSocket(gw.server.url), await rawSocket(gw.server.url)];
    closers.push(async () => one.socket.terminate(), async () => two.socket.terminate());
    const ids = ['1', 'a"b\\c', '\u{1F642}'];
    for (const id of ids) one.subscribe(id, query);
    two.subscribe('x', query);
    two.subscribe('y', query);
    await subscribers('fanDirect', 5);
    const directBefore = DirectRoute.framesSent;
    const executionsBefore = subscriptionResults.executions;

    const events = generateEvents(15, 400, { stepMs: 100, jitterMs: 500 });
    const half = events.filter((e) => e.ts < BASE_TS + 20_000);
    const next = await produceInOrder(producer, topicOf('fanDirect'), half.map((e) => JSON.stringify(e)), 0);
    const wantHalf = referenceWindows(half, { kind: 'tumble', sizeMs: 5_000 }, { graceMs: GRACE_MS, groupBy: ['region'] }).closed;
    expect(wantHalf.length).toBeGreaterThan(1);
    const all = [...ids.map((id) => () => one.nexts(id)), () => two.nexts('x'), () => two.nexts('y')];
    await waitFor('the first windows at every operation', () => all.every((n) => n().length === wantHalf.length), KAFKA_MS);

    // The client completes one operation mid-stream: the others go on, it gets nothing more.
    one.complete('1');
    await subscribers('fanDirect', 4);
    const completedAt = one.nexts('1').length;
    await produceInOrder(producer, topicOf('fanDirect'), [...events.filter((e) => e.ts >= BASE_TS + 20_000), WATERMARK].map((e) => JSON.stringify(e)), next);
    const want = referenceWindows([...events, WATERMARK], { kind: 'tumble', sizeMs: 5_000 }, { graceMs: GRACE_MS, groupBy: ['region'] }).closed;
    await waitFor('every window at the open operations', () => all.slice(1).every((n) => n().length === want.length), KAFKA_MS);
    expect(one.nexts('1').length).toBe(completedAt);

    // Every frame is graphql-ws's next frame with the same payload, went the direct way, and was executed once per version.
    const payloads = all.slice(1).map((n) => JSON.stringify(n().map((f) => f.payload)));
    expect(new Set(payloads).size).toBe(1);
    const versions = all.slice(1)[0]!().map((f) => f.payload as { data: { fanDirect: { start: string } } });
    expect(versions.map((v) => Date.parse(v.data.fanDirect.start))).toEqual(want.map((w) => w.start));
    for (const text of [...one.raw, ...two.raw].filter((t) => t.includes('"next"'))) {
      const { id } = JSON.parse(text) as { id: string };
      expect(text.startsWith(`{"id":${JSON.stringify(id)},"type":"next","payload":{"data":`)).toBe(true);
    }
    const delivered = completedAt + all.slice(1).reduce((n, f) => n + f().length, 0);
    expect(DirectRoute.framesSent - directBefore).toBe(delivered);
    expect(subscriptionResults.executions - executionsBefore).toBe(want.length);

    // A socket that goes away releases its operations, the operator and the shared groups.
    one.socket.terminate();
    two.socket.close();
    await subscribers('fanDirect', 0);
    await waitFor('shared groups to be released', () => subscriptionResults.size === 0 && sharedPayloadGroups() === 0, 10_000);
    expect(gw.gateway.streams['streams'].get('fanDirect')?.operators.size ?? 0).toBe(0);
  });
});
