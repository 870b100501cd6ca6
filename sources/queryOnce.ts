import pg from 'pg';

/**
 * Runs one statement over a connection of its own, opened and closed within `deadlineMs`
 * (connect, statement and read are each bounded by it). For work that must not queue
 * behind the query pool: cancelling a pooled query, checking a source whose pool is full.
 */
export async function queryOnce(connection: pg.ClientConfig, query: pg.QueryConfig, deadlineMs: number): Promise<pg.QueryResult> {
  const client = new pg.Client({ ...connection, connectionTimeoutMillis: deadlineMs, query_timeout: deadlineMs, statement_timeout: deadlineMs });
  // A server going away mid-statement emits 'error' on the client; the statement rejects with it.
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.query(query);
  } finally {
    await client.end().catch(() => {});
  }
}
