/**
 * The landing writer's SQL on the test Postgres: a table landed before partitions is
 * migrated (its old key would make two partitions' rows of one window collide); windows and
 * their partition's position are written in one statement, so a failed write stores neither;
 * positions only move forward; a first position is claimed once for every replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../schema/index.ts';
import { createSource, type Source } from '../sources/index.ts';
import { LandingOffsets } from '../subscriptions/LandingOffsets.ts';
import { LandingWriter } from '../subscriptions/LandingWriter.ts';
import type { WindowState } from '../subscriptions/window/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { waitFor } from './support/waitFor.ts';

const admin = await connectTestPostgres();
const SCHEMA = 'tributary_landing_writer';
const config = parseConfig(`
sources:
  warehouse: { kind: postgres, url: "${TEST_PG_URL}" }
datasets: {}
streams:
  orders:
    kafka: { brokers: "127.0.0.1:9", topic: orders }
    dimensions: { region: { type: string } }
    measures: { orders: { count: "*" }, revenue: { sum: amount } }
    landing: { source: warehouse, table: ${SCHEMA}.landed, window: 1s }
`);
const stream = config.streams.orders!;

const windowOf = (start: number, rows: [string | null, number, number][]): WindowState => ({
  key: String(start),
  start,
  end: start + 1_000,
  final: true,
  revision: 0,
  rows: rows.map(([region, orders, revenue]) => ({ dims: { region }, measures: { orders, revenue } })),
});

describe.skipIf(!admin)('LandingWriter on Postgres: partitions, positions in the same transaction', () => {
  let source: Source;
  let errors: unknown[];
  let offsets: LandingOffsets;
  let writer: LandingWriter;

  beforeAll(async () => {
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    // A landing table as the single-feed writer created it: keyed by (window_start, region).
    await admin!.query(
      `create table ${SCHEMA}.landed (window_start timestamptz not null, window_end timestamptz not null, region text, orders_count double precision, revenue_sum double precision, unique nulls not distinct (window_start, region))`,
    );
    await admin!.query(`insert into ${SCHEMA}.landed values ('2030-01-01T00:00:00Z', '2030-01-01T00:00:01Z', 'east', 3, 30)`);
    source = createSource(config.sources.warehouse!);
    errors = [];
    offsets = new LandingOffsets(source, stream.landing!.table, stream.landing!.groupId, stream.kafka.topic);
    writer = new LandingWriter(stream, source, 0, (e) => errors.push(e), offsets);
  });

  afterAll(async () => {
    await source?.close();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('migrates a table landed before partitions: its rows are partition 0 and two partitions of one window both land', async () => {
    await writer.ensureTable();
    await writer.ensureTable(); // idempotent
    const t = Date.parse('2030-01-01T00:00:00Z');
    writer.push(1, [windowOf(t, [['east', 2, 20], [null, 1, 5]])], { offset: 10, watermark: t + 7_000 });
    writer.push(2, [windowOf(t, [['east', 4, 40]])], { offset: 20, watermark: t + 6_000 });
    await writer.settled();
    expect(errors).toEqual([]);
    const { rows } = await admin!.query(`select "partition" as p, region, orders_count as n from ${SCHEMA}.landed order by 1, 2`);
    expect(rows).toEqual([
      { p: 0, region: 'east', n: 3 },
      { p: 1, region: 'east', n: 2 },
      { p: 1, region: null, n: 1 },
      { p: 2, region: 'east', n: 4 },
    ]);
    expect(await offsets.read([0, 1, 2])).toEqual(new Map([[1, { offset: 10, watermark: t + 7_000 }], [2, { offset: 20, watermark: t + 6_000 }]]));
  });

  it('a window landed again from the same events writes the same row; a position never moves back', async () => {
    const t = Date.parse('2030-01-01T00:00:00Z');
    writer.push(1, [windowOf(t, [['east', 2, 20]])], { offset: 4, watermark: t + 3_000 }); // a replica that lost partition 1, late
    await writer.settled();
    const { rows } = await admin!.query(`select count(*)::int as rows, sum(orders_count)::float8 as n from ${SCHEMA}.landed where "partition" = 1`);
    expect(rows[0]).toEqual({ rows: 2, n: 3 });
    expect((await offsets.read([1])).get(1)).toEqual({ offset: 10, watermark: t + 7_000 });
  });

  it('a failed write stores neither the windows nor the position, and lands both once retried', async () => {
    const t = Date.parse('2030-01-01T00:00:05Z');
    await admin!.query(`alter table ${SCHEMA}.landed add constraint no_west check (region is distinct from 'west')`);
    const failures = writer.failedWrites;
    writer.push(3, [windowOf(t, [['north', 1, 1]]), windowOf(t + 1_000, [['west', 1, 1]])], { offset: 33, watermark: t + 9_000 });
    try {
      await waitFor('the write to fail', () => writer.failedWrites > failures);
      // The north window's row went in the same statement as the failing west row: not there, nor the position.
      expect((await admin!.query(`select count(*)::int as n from ${SCHEMA}.landed where "partition" = 3`)).rows[0].n).toBe(0);
      expect(await offsets.read([3])).toEqual(new Map());
    } finally {
      await admin!.query(`alter table ${SCHEMA}.landed drop constraint no_west`);
    }
    await waitFor('the write to succeed once retried', () => writer.landedWindows >= 5);
    await writer.settled();
    expect((await admin!.query(`select count(*)::int as n from ${SCHEMA}.landed where "partition" = 3`)).rows[0].n).toBe(2);
    expect(await offsets.read([3])).toEqual(new Map([[3, { offset: 33, watermark: t + 9_000 }]]));
  });

  it('a first position is claimed once: a second claim reads the first', async () => {
    const first = await offsets.claim([{ partition: 7, offset: 100, watermark: 1 }]);
    const second = await offsets.claim([{ partition: 7, offset: 200, watermark: 2 }]);
    expect(first).toEqual(new Map([[7, { offset: 100, watermark: 1 }]]));
    expect(second).toEqual(first);
  });
});
