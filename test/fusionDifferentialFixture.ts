import type pg from 'pg';

/**
 * Data for test/fusionDifferential.test.ts: `sales` on Postgres and `targets` on DuckDB
 * (a CSV), with the same targets loaded into Postgres for the reference SQL.
 *
 * Regions on both sides: North, South, East, West. Only in sales: Central and null. Only in
 * targets: Arctic. Sales span 2023-01..2024-12 without February 2024 and without West in
 * June 2023; targets span 2022-11..2025-02 with gaps and a few null targets.
 */
export const FUSION_SCHEMA = 'tributary_fusion_diff';
export const JOINS = ['inner', 'left', 'full'] as const;
export type JoinKind = (typeof JOINS)[number];
export const fusionName = (join: JoinKind) => `salesVsTargets${join[0]!.toUpperCase()}${join.slice(1)}`;

export interface TargetRow {
  readonly region: string;
  readonly month: string;
  readonly target: number | null;
}

export function targetRows(): TargetRow[] {
  const rows: TargetRow[] = [];
  let i = 0;
  for (const region of ['North', 'South', 'East', 'West', 'Arctic']) {
    for (let m = 0; m < 28; m++) {
      i++;
      if ((i * 7) % 11 === 0) continue; // a month with no target
      const month = new Date(Date.UTC(2022, 10 + m, 1)).toISOString().slice(0, 10);
      rows.push({ region, month, target: i % 17 === 5 ? null : 700 + ((i * 7919) % 100_003) / 100 });
    }
  }
  return rows;
}

export function targetsCsv(rows: readonly TargetRow[]): string {
  return ['region,month,target', ...rows.map((r) => `${r.region},${r.month},${r.target ?? ''}`)].join('\n') + '\n';
}

export async function createFusionTables(client: pg.Client, targets: readonly TargetRow[]): Promise<void> {
  const s = FUSION_SCHEMA;
  await client.query(`drop schema if exists ${s} cascade; create schema ${s}`);
  await client.query(`
    create table ${s}.sales as
    select g as id,
      timestamptz '2023-01-01 00:00:00+00' + ((g::int8 * 2654435761) % 63158400) * interval '1 second' as ts,
      case when g % 31 = 0 then null else (array['North','South','East','West','Central'])[1 + (g * 7) % 5] end as region,
      (((g * 37) % 5000) / 100.0 + 1)::numeric(10,2) as amount,
      (1 + (g * 5) % 9)::int as qty
    from generate_series(1, 6000) g`);
  await client.query(`
    delete from ${s}.sales where ts >= '2024-02-01Z' and ts < '2024-03-01Z';
    delete from ${s}.sales where region = 'West' and ts >= '2023-06-01Z' and ts < '2023-07-01Z';
    create table ${s}.targets (region text, month date, target numeric(12,2))`);
  await client.query(
    `insert into ${s}.targets select * from unnest($1::text[], $2::date[], $3::numeric[])`,
    [targets.map((t) => t.region), targets.map((t) => t.month), targets.map((t) => t.target)],
  );
}

export const FUSION_CONFIG = (url: string, targetsFile: string) => `
sources:
  warehouse: { kind: postgres, url: "${url}" }
  files: { kind: duckdb }
datasets:
  sales:
    source: warehouse
    table: ${FUSION_SCHEMA}.sales
    dimensions:
      region: { type: string }
      orderDate: { type: time, column: ts, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      avgAmount: { avg: amount }
      units: { sum: qty }
  targets:
    source: files
    file: ${JSON.stringify(targetsFile)}
    dimensions:
      region: { type: string }
      month: { type: time, granularity: month }
    measures:
      target: { sum: target }
fusions:
${JOINS.map(
  (join) => `  ${fusionName(join)}:
    join: ${join}
    keys: { region: string, month: time }
    members:
      sales: { region: region, month: orderDate }
      targets: { region: region, month: month }`,
).join('\n')}
`;
