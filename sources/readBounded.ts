import pg from 'pg';

/**
 * Reads at most `maxRows` rows of a statement sent as it is: no LIMIT, no cursor. Postgres
 * plans it exactly as the plain statement (for the whole result, parallel workers allowed:
 * a portal fetched with a row count would run without them, a LIMIT would let the planner
 * pick a fast-start plan such as a sorted GroupAggregate). Rows are counted as they arrive
 * and not kept past the bound, so memory stays bounded; at the first row past it `stop` is
 * called (the caller cancels the backend) and the rows read so far are the answer, the
 * cancel's error included.
 */
export async function readBounded(client: pg.PoolClient, sql: string, values: unknown[], maxRows: number, stop: () => void): Promise<unknown[][]> {
  const rows: unknown[][] = [];
  let stopped = false;
  const config: pg.QueryArrayConfig = { text: sql, values, rowMode: 'array' };
  const query = new pg.Query(config);
  // A 'row' listener and no callback: pg hands each row over and keeps none itself.
  query.on('row', (row: unknown[]) => {
    if (rows.length < maxRows) rows.push(row);
    else if (!stopped) {
      stopped = true;
      stop();
    }
  });
  const done = new Promise<void>((resolve, reject) => {
    query.on('end', () => resolve());
    query.on('error', (error: unknown) => (stopped ? resolve() : reject(error)));
  });
  client.query(query);
  await done;
  return rows;
}
