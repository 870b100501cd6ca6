import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDuckDbTable, quoteIdentifier as q } from '../../bench/loadDuckDbTable.ts';
import { seededRandom } from '../../test/support/seededRandom.ts';
import { hashJoin, type JoinKind } from './hashJoin.ts';
import { randomSide, rowsOf, sortedRows, type Cell } from './joinFixtures.ts';

const KEYS = ['Region', 'Month', 'Flag'] as const;
const SQL_JOIN: Readonly<Record<JoinKind, string>> = { inner: 'INNER JOIN', left: 'LEFT JOIN', full: 'FULL OUTER JOIN' };
const SEEDS = Array.from({ length: 40 }, (_, i) => i + 1);

/**
 * Differential test: random small aggregates (nulls and duplicate keys included) joined by
 * hashJoin and by DuckDB's SQL join in-process must give the same multiset of rows. SQL
 * leaves the order unspecified, so both sides are compared sorted (documented order is
 * covered by hashJoin.test.ts).
 */
describe('hashJoin agrees with DuckDB', () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  it.each(SEEDS.flatMap((seed) => (['inner', 'left', 'full'] as const).map((kind) => [kind, seed] as const)))('%s join, seed %i', async (kind, seed) => {
    const random = seededRandom(seed * 7919);
    const a = randomSide(random, 'a', 30, 2);
    const b = randomSide(random, 'b', 30, 3);
    let keys: (typeof KEYS)[number][] = KEYS.filter(() => random() < 0.6);
    if (keys.length === 0) keys = [KEYS[Math.floor(random() * KEYS.length)]!];
    const leftKeys = keys.map((k) => `a${k}`);
    const rightKeys = keys.map((k) => `b${k}`);
    const outKeys = keys.map((k) => k.toLowerCase());

    const ours = rowsOf(hashJoin(kind, a.table, b.table, leftKeys, rightKeys, outKeys));

    await loadDuckDbTable(connection, 'l', a.table);
    await loadDuckDbTable(connection, 'r', b.table);
    const rest = (table: typeof a.table, side: string, keyNames: string[]) =>
      table.schema.fields.filter((f) => !keyNames.includes(f.name)).map((f) => `${side}.${q(f.name)}`);
    const sql =
      `SELECT ${[
        ...keys.map((_, i) => `COALESCE(l.${q(leftKeys[i]!)}, r.${q(rightKeys[i]!)}) AS ${q(outKeys[i]!)}`),
        ...rest(a.table, 'l', leftKeys),
        ...rest(b.table, 'r', rightKeys),
      ].join(', ')} ` +
      `FROM l ${SQL_JOIN[kind]} r ON ${keys.map((_, i) => `l.${q(leftKeys[i]!)} = r.${q(rightKeys[i]!)}`).join(' AND ')}`;
    const theirs = (await (await connection.run(sql)).getRows()) as Cell[][];

    expect(ours.length).toBe(theirs.length);
    expect(sortedRows(ours)).toEqual(sortedRows(theirs));
  });
});
