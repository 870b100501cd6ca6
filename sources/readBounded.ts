import type pg from 'pg';
import Cursor from 'pg-cursor';

/**
 * Reads at most `maxRows` rows of a statement through a portal (the extended protocol's
 * Execute with a row count): Postgres plans a portal's statement for the whole result, so
 * the aggregation strategy is the one a full read gets, where a LIMIT would let it choose a
 * fast-start plan (a sort-based GroupAggregate) instead. The portal is closed after the
 * read; `closeDeadlineMs` bounds the wait for that (a dead connection never answers), and
 * a portal not closed in time fails the read so the connection is discarded.
 */
export async function readBounded(client: pg.PoolClient, sql: string, values: unknown[], maxRows: number, closeDeadlineMs: number): Promise<unknown[][]> {
  const cursor = client.query(new Cursor<unknown[]>(sql, values, { rowMode: 'array' }));
  const rows = await cursor.read(maxRows);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`closing a portal took more than ${closeDeadlineMs} ms`)), closeDeadlineMs);
  });
  try {
    await Promise.race([cursor.close(), deadline]);
  } finally {
    clearTimeout(timer);
  }
  return rows;
}
