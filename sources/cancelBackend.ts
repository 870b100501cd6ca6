import type pg from 'pg';
import { queryOnce } from './queryOnce.ts';

/**
 * Asks Postgres to cancel the query running on backend `pid`, over a connection of its
 * own: a cancel sent through the query pool would queue behind the very work it should
 * stop when every pooled connection is busy. Ends within `deadlineMs` and never rejects:
 * if the cancel cannot be sent, the query still ends at its statement_timeout.
 */
export async function cancelBackend(connection: pg.ClientConfig, pid: number, deadlineMs: number): Promise<void> {
  try {
    await queryOnce(connection, { text: 'select pg_cancel_backend($1)', values: [pid] }, deadlineMs);
  } catch {
    // Nothing to add: the cancelled query reports its own outcome.
  }
}
