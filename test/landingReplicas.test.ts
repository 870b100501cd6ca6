/**
 * Stream landing split across replicas, on a real Kafka broker and the test Postgres: two
 * gateways (the real CLI `serve`, child processes, one config) land a 4-partition topic
 * through one consumer group; the second joins mid-stream (a rebalance moves partitions with
 * open windows), then is SIGKILLed mid-stream while events keep coming; the
 * survivor takes its partitions from the stored positions, and the landed windows hold
 * every event exactly once (per window and region, and as `<stream>History` totals).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestKafka, testKafkaClient } from './support/kafka.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { seededRandom } from './support/seededRandom.ts';
import { waitFor } from './support/waitFor.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const kafka = await connectTestKafka();
const admin = kafka ? await connectTestPostgres() : null;
const SCHEMA = 'tributary_landing_replicas';
const TABLE = `${SCHEMA}.orders_1s`;
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const TOPIC = `landing-replicas-${RUN}`;
const PARTITIONS = 4;
const N = 8_000;
/** Joins wait out a dead member's session (10 s) and a rebalance or two. */
const GROUP_MS = 90_000;
const REGIONS = ['east', 'west', 'north', 'south'];

const CONFIG = `
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets: {}
streams:
  orders:
    kafka: { brokers: "${kafka?.brokers}", topic: "${TOPIC}" }
    timestamp: ts
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" }, revenue: { sum: amount }, maxAmount: { max: amount }, minAmount: { min: amount }, avgAmount: { avg: amount } }
    grace: 1s
    retention: 1h
    maxSkew: 3650d
    landing: { source: warehouse, table: ${TABLE}, window: 1s }
`;

interface Replica {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** The partitions of each join, in order (from the replica's log). */
  readonly assignments: number[][];
  stderr(): string;
}

describe.skipIf(!kafka || !admin)('landing across replicas: one consumer group, a replica killed mid-stream', () => {
  let dir: string;
  let producer: Producer;
  const replicas: Replica[] = [];

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    dir = await mkdtemp(path.join(tmpdir(), 'tributary-landing-'));
    await writeFile(path.join(dir, 'tributary.yaml'), CONFIG);
    const client = testKafkaClient(kafka!.brokers);
    const kafkaAdmin = client.admin();
    await kafkaAdmin.connect();
    await kafkaAdmin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
    await kafkaAdmin.disconnect();
    producer = client.producer();
    await producer.connect();
  }, 60_000);

  afterAll(async () => {
    for (const r of replicas) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await producer?.disconnect();
    await kafka?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the survivor takes the killed replica\'s partitions and every event lands exactly once', async () => {
    const random = seededRandom(11);
    const base = Math.floor(Date.now() / 1_000) * 1_000;
    // Per partition, event times rise with jitter below the grace: no event is late, all land.
    const events = Array.from({ length: N }, (_, i) => ({
      partition: i % PARTITIONS,
      ts: base + i * 5 + Math.floor(random() * 400),
      region: REGIONS[Math.floor(random() * REGIONS.length)]!,
      amount: 1 + Math.floor(random() * 1_000),
    }));
    const produce = async (batch: typeof events) => {
      for (let i = 0; i < batch.length; i += 250) {
        await producer.send({ topic: TOPIC, acks: -1, messages: batch.slice(i, i + 250).map((e) => ({ partition: e.partition, value: JSON.stringify(e) })) });
      }
    };

    const a = await startReplica('a', dir);
    await waitFor('replica a to land all 4 partitions', () => sameSet(a.assignments.at(-1), [0, 1, 2, 3]), GROUP_MS);
    const early = events.slice(0, Math.floor(N * 0.2));
    await produce(early);
    await waitFor('replica a to land windows', async () => (await totals()).orders > 0, GROUP_MS);
    // b joins mid-stream: a rebalance moves two partitions, with open windows, from a to b.
    const b = await startReplica('b', dir);
    await waitFor('the partitions split between a and b', () => split(a, b), GROUP_MS);
    const victimPartitions = b.assignments.at(-1)!;
    const landedBeforeB = await landedOf(victimPartitions);

    const first = events.slice(0, Math.floor(N * 0.5));
    await produce(first.slice(early.length));
    await waitFor('replica b to land windows of its partitions', async () => (await landedOf(victimPartitions)) > landedBeforeB, GROUP_MS);
    const killedAt = Date.now();
    b.child.kill('SIGKILL');
    // b died with windows open (the newest ones cannot close before later events): its
    // partitions' stored positions lie inside what was produced, so a re-reads from there.
    const { rows: atKill } = await admin!.query(
      `select "partition" as partition, next_offset::float8 as offset from ${SCHEMA}.tributary_landing_offsets where "partition" = any($1::int[])`,
      [[...victimPartitions]],
    );
    expect(atKill.length).toBe(victimPartitions.length);
    for (const { partition, offset } of atKill) expect(offset).toBeLessThan(first.filter((e) => e.partition === partition).length);
    expect(atKill.some((p) => p.offset > 0)).toBe(true);
    await produce(events.slice(first.length)); // while the group has not noticed yet

    const takeover = await waitFor('replica a to take every partition', () => (sameSet(a.assignments.at(-1), [0, 1, 2, 3]) ? Date.now() : 0), GROUP_MS);
    // One event per partition a minute later closes every window of the events above (its own stays open).
    await produce(Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, ts: base + N * 5 + 60_000, region: 'sentinel', amount: 0 })));
    const landedAll = await waitFor(`${N} events landed`, async () => ((await totals()).orders === N ? Date.now() : 0), GROUP_MS);
    console.log(
      `landing across replicas: ${N} events on ${PARTITIONS} partitions; SIGKILL of b (partitions ${victimPartitions.join(', ')}) → a lands all 4 after ${takeover - killedAt} ms; everything landed ${landedAll - killedAt} ms after the kill`,
    );

    // Exactly once, as totals and per window and region (the partitions' rows summed).
    const sum = events.reduce((n, e) => n + e.amount, 0);
    expect(await totals()).toEqual({ orders: N, revenue: sum, maxAmount: Math.max(...events.map((e) => e.amount)), minAmount: Math.min(...events.map((e) => e.amount)) });
    const want = new Map<string, { orders: number; revenue: number }>();
    for (const e of events) {
      const key = `${Math.floor(e.ts / 1_000) * 1_000}|${e.region}`;
      const w = want.get(key) ?? { orders: 0, revenue: 0 };
      want.set(key, { orders: w.orders + 1, revenue: w.revenue + e.amount });
    }
    const { rows } = await admin!.query(
      `select (extract(epoch from window_start) * 1000)::float8 as start, region, sum(orders_count)::float8 as orders, sum(revenue_sum)::float8 as revenue
       from ${TABLE} group by 1, 2`,
    );
    const got = new Map(rows.map((r) => [`${r.start}|${r.region}`, { orders: r.orders, revenue: r.revenue }]));
    expect(got).toEqual(want);
    // Each partition's rows came from that partition only (a row per window, region and partition).
    const { rows: byPartition } = await admin!.query(`select "partition" as partition, sum(orders_count)::float8 as n from ${TABLE} group by 1 order by 1`);
    const perPartition = [0, 1, 2, 3].map((p) => ({ partition: p, n: events.filter((e) => e.partition === p).length }));
    expect(byPartition).toEqual(perPartition);
    // The positions stored with the windows: one per partition, each past that partition's last landed event.
    const { rows: positions } = await admin!.query(`select "partition" as partition, next_offset::float8 as offset from ${SCHEMA}.tributary_landing_offsets order by 1`);
    expect(positions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);

    // <stream>History re-aggregates the partitions' rows: sums of sums and counts, max of maxes, min of mins.
    const answer = await graphql(a.url, '{ ordersHistory { totals { orders revenue maxAmount minAmount } rows { region orders revenue } } }');
    expect(answer.errors).toBeUndefined();
    expect(answer.data.ordersHistory.totals).toEqual({ orders: N, revenue: sum, maxAmount: Math.max(...events.map((e) => e.amount)), minAmount: Math.min(...events.map((e) => e.amount)) });
    const byRegion = REGIONS.map((region) => ({ region, orders: events.filter((e) => e.region === region).length, revenue: events.filter((e) => e.region === region).reduce((n, e) => n + e.amount, 0) }));
    expect([...answer.data.ordersHistory.rows].sort((x: { region: string }, y: { region: string }) => x.region.localeCompare(y.region))).toEqual(
      [...byRegion].sort((x, y) => x.region.localeCompare(y.region)),
    );
  }, 300_000);

  async function startReplica(name: string, configDir: string): Promise<Replica> {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'tributary.js'), 'serve', '-c', path.join(configDir, 'tributary.yaml'), '-p', '0'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'info' },
    });
    let stdout = '';
    let stderr = '';
    const assignments: number[][] = [];
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      for (const m of s.matchAll(/this replica lands partitions \[([\d, ]*)\]/g)) assignments.push(m[1] ? m[1].split(', ').map(Number) : []);
    });
    const replica = { name, child, url: '', assignments, stderr: () => stderr };
    replicas.push(replica);
    const url = await waitFor(`replica ${name} to serve`, () => {
      if (child.exitCode !== null) throw new Error(`replica ${name} exited (${child.exitCode}):\n${stderr}`);
      return /GraphiQL: (\S+)/.exec(stdout)?.[1];
    }, 60_000);
    return Object.assign(replica, { url });
  }

  async function totals(): Promise<{ orders: number; revenue: number; maxAmount: number; minAmount: number }> {
    const { rows } = await admin!.query(
      `select coalesce(sum(orders_count), 0)::float8 as orders, coalesce(sum(revenue_sum), 0)::float8 as revenue, max("maxAmount_max")::float8 as "maxAmount", min("minAmount_min")::float8 as "minAmount" from ${TABLE}`,
    );
    return rows[0];
  }

  async function landedOf(partitions: readonly number[]): Promise<number> {
    const { rows } = await admin!.query(`select coalesce(sum(orders_count), 0)::float8 as n from ${TABLE} where "partition" = any($1::int[])`, [[...partitions]]);
    return rows[0].n;
  }
});

function sameSet(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return !!a && a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

/** Both replicas' latest joins hold some partitions, none twice, all four together. */
function split(a: Replica, b: Replica): boolean {
  const pa = a.assignments.at(-1) ?? [];
  const pb = b.assignments.at(-1) ?? [];
  return pa.length > 0 && pb.length > 0 && sameSet([...pa, ...pb], [0, 1, 2, 3]);
}

async function graphql(url: string, query: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return (await response.json()) as { data: any; errors?: unknown };
}
