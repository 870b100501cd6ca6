/**
 * `npm run bench:fusion`: Tributary's fusion join (resolvers/fusion/hashJoin.ts) against
 * DuckDB joining the same two member results in-process.
 *
 * Builds two aggregated member results as Arrow tables (bench/fusionMembers.ts: region ×
 * month keys, 3 and 2 Float64 measures, ~80% of key tuples shared), loads them into an
 * in-memory DuckDB once (untimed), checks that both give the same rows, then times, for a
 * FULL and an INNER join, in rotation after warm-ups:
 *   - tributary: hashJoin → an Arrow table (typed arrays readable from JS);
 *   - duckdb → chunks: the SQL join, result materialized and its chunks fetched into JS
 *     (rows counted, values left in DuckDB's vectors): the stricter comparison, the target;
 *   - duckdb → JS values: the same, plus every value converted to JS (getColumns());
 *   - duckdb count(*): diagnostic lower bound, the join alone with no result to read.
 * Prints p50/p95 and the ratio Tributary / DuckDB against the target ≤ 2×. Exits 0 whether
 * or not the target is met, non-zero only when something failed.
 *
 * Environment: BENCH_FUSION_ROWS (100000 per member), BENCH_ITERATIONS (30), BENCH_WARMUP (5).
 */
import os from 'node:os';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { hashJoin, type JoinKind } from '../resolvers/fusion/index.ts';
import { buildFusionMembers } from './fusionMembers.ts';
import { loadDuckDbTable } from './loadDuckDbTable.ts';
import { runRotated, type Contender } from './runRotated.ts';
import { getValidCount, log } from './settings.ts';
import { summarize, type Summary } from './stats.ts';

const TARGET_RATIO = 2;
const OVERLAP = 0.8;
const KEYS = ['region', 'month'];
const SQL_JOIN: Readonly<Record<JoinKind, string>> = { inner: 'INNER JOIN', left: 'LEFT JOIN', full: 'FULL OUTER JOIN' };

const joinSql = (kind: JoinKind) =>
  'SELECT COALESCE(a.region, b.region) AS region, COALESCE(a.month, b.month) AS month, a.revenue, a.cost, a.orders, b.target, b.budget ' +
  `FROM a ${SQL_JOIN[kind]} b ON a.region = b.region AND a.month = b.month`;

async function main(): Promise<void> {
  const rows = getValidCount(process.env, 'BENCH_FUSION_ROWS', 100_000, 1);
  const iterations = getValidCount(process.env, 'BENCH_ITERATIONS', 30, 1);
  const warmup = getValidCount(process.env, 'BENCH_WARMUP', 5, 0);
  log(`building two member results of ${rows.toLocaleString('en-US')} rows`);
  const { left, right, overlap } = buildFusionMembers(rows, OVERLAP);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    log('loading them into DuckDB (untimed)');
    await loadDuckDbTable(connection, 'a', left);
    await loadDuckDbTable(connection, 'b', right);
    const about = (await (await connection.run("SELECT version() AS v, current_setting('threads') AS t")).getRowObjects())[0]!;
    const lines = [
      'bench:fusion — fusion hash join: Tributary hashJoin vs DuckDB in-process',
      `members: left ${left.numRows.toLocaleString('en-US')} rows (region, month, revenue, cost, orders), right ${right.numRows.toLocaleString('en-US')} rows (region, month, target, budget); ${overlap.toLocaleString('en-US')} key tuples on both sides`,
      `method: ${iterations} timed runs per contender in rotation after ${warmup} warm-ups each; Node ${process.version}, ${os.cpus().length} CPUs; DuckDB ${String(about.v)} with ${String(about.t)} threads, tables loaded once`,
      '',
    ];
    for (const kind of ['full', 'inner'] as const) {
      log(`${kind} join: checking both answers agree, then timing`);
      const ours = () => hashJoin(kind, left, right, KEYS, KEYS, KEYS);
      await checkSameRows(ours(), connection, joinSql(kind));
      const contenders: Contender[] = [
        { name: 'tributary hashJoin → Arrow', run: async () => ours().numRows },
        { name: 'duckdb → chunks', run: () => duckDbChunks(connection, joinSql(kind)) },
        { name: 'duckdb → JS values', run: async () => (await (await connection.run(joinSql(kind))).getColumns())[0]!.length },
        { name: 'duckdb count(*), no result', run: () => duckDbCount(connection, kind) },
      ];
      const timed = await runRotated(contenders, iterations, warmup);
      if (new Set(timed.rows).size !== 1) throw new Error(`${kind} join: contenders produced ${timed.rows.join(' / ')} rows`);
      const stats = timed.samples.map(summarize);
      lines.push(...formatJoin(kind, timed.rows[0]!, contenders, stats), '');
    }
    console.log(lines.join('\n'));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Runs the join with its result materialized, fetches every chunk and counts the rows. */
async function duckDbChunks(connection: DuckDBConnection, sql: string): Promise<number> {
  const result = await connection.run(sql);
  let n = 0;
  for (const chunk of await result.fetchAllChunks()) n += chunk.rowCount;
  return n;
}

/** The same join counted inside DuckDB: what the join costs with no result leaving DuckDB. */
async function duckDbCount(connection: DuckDBConnection, kind: JoinKind): Promise<number> {
  const rows = await (await connection.run(`SELECT count(*)::DOUBLE AS n FROM (${joinSql(kind)})`)).getRows();
  return rows[0]![0] as number;
}

/** Both joins must give the same multiset of rows (SQL leaves the order unspecified). */
async function checkSameRows(ours: Table, connection: DuckDBConnection, sql: string): Promise<void> {
  const line = (row: readonly unknown[]) => row.map((v) => (v === null || v === undefined ? '∅' : String(v))).join('|');
  const vectors = ours.schema.fields.map((f) => ours.getChild(f.name)!);
  const a = Array.from({ length: ours.numRows }, (_, i) => line(vectors.map((v) => v.get(i)))).sort();
  const b = (await (await connection.run(sql)).getRows()).map(line).sort();
  if (a.length !== b.length) throw new Error(`hashJoin gave ${a.length} rows, DuckDB ${b.length}: ${sql}`);
  const i = a.findIndex((row, k) => row !== b[k]);
  if (i >= 0) throw new Error(`hashJoin and DuckDB differ at sorted row ${i}: ${a[i]} vs ${b[i]}`);
}

function formatJoin(kind: JoinKind, rowsOut: number, contenders: readonly Contender[], stats: readonly Summary[]): string[] {
  const ms = (x: number) => `${x.toFixed(2)} ms`.padStart(10);
  const [ours, chunks, values, count] = stats as [Summary, Summary, Summary, Summary];
  const ratio = (other: Summary) => ours.p50 / other.p50;
  const verdict = ratio(chunks) <= TARGET_RATIO ? 'PASS' : 'MISS';
  return [
    `${kind.toUpperCase()} JOIN on (region, month) → ${rowsOut.toLocaleString('en-US')} rows out`,
    `  ${'contender'.padEnd(30)}${'p50'.padStart(10)}${'p95'.padStart(10)}${'min'.padStart(10)}`,
    ...contenders.map((c, i) => `  ${c.name.padEnd(30)}${ms(stats[i]!.p50)}${ms(stats[i]!.p95)}${ms(stats[i]!.min)}`),
    `  ratio tributary / duckdb → chunks (p50):    ${ratio(chunks).toFixed(2)}×  (target ≤ ${TARGET_RATIO}×: ${verdict})`,
    `  ratio tributary / duckdb → JS values (p50): ${ratio(values).toFixed(2)}×`,
    `  ratio tributary / duckdb count(*) (p50):    ${ratio(count).toFixed(2)}×  (diagnostic: DuckDB's join with no result to hand over)`,
  ];
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error(`bench:fusion failed: ${error instanceof Error ? error.message : String(error)}`);
    if (error instanceof Error && error.stack) console.error(error.stack.split('\n').slice(1).join('\n'));
    process.exitCode = 1;
  },
);
