import pg from 'pg';
import { PoolBusyError } from './sourceErrors.ts';

/** pg-pool's error for a checkout that queued (no idle client, pool at its max) past connectionTimeoutMillis. */
const QUEUE_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * A pg Pool made safe to keep running through database faults:
 *
 * - every client has an 'error' listener for its whole life, checked out or idle (pg-pool
 *   listens only while a client is idle, so a backend terminated under a checked-out client
 *   used to be an unhandled 'error' event that killed the process); a client that emitted
 *   one is destroyed on release instead of going back to the pool;
 * - a checkout waits at most `connectTimeoutMs`, and gives up at once when its request is
 *   aborted; a wait that ran out while every connection was busy with queries is a
 *   PoolBusyError (the source is healthy), any other failure is the driver's error.
 */
export class PostgresPool {
  private readonly pool: pg.Pool;
  /** Clients with an open session (pg-pool counts clients still connecting in totalCount). */
  private readonly connected = new Set<pg.Client>();
  /** Clients whose connection failed: they must not be reused. */
  private readonly lost = new WeakSet<pg.Client>();

  constructor(
    readonly connection: pg.ClientConfig,
    private readonly max: number,
    private readonly connectTimeoutMs: number,
  ) {
    this.pool = new pg.Pool({ ...connection, max, connectionTimeoutMillis: connectTimeoutMs, idleTimeoutMillis: 30_000 });
    this.pool.on('connect', (client) => {
      this.connected.add(client);
      client.on('error', () => this.lost.add(client));
    });
    this.pool.on('remove', (client) => this.connected.delete(client));
    // pg-pool re-emits an idle client's error here after removing it; the next checkout opens a new connection.
    this.pool.on('error', () => {});
  }

  /** Number of requests queued for a connection (for tests and metrics). */
  get waitingCount(): number {
    return this.pool.waitingCount;
  }

  /** A connected client; release it with `release`. Rejects with the signal's reason on abort. */
  checkout(signal?: AbortSignal): Promise<pg.PoolClient> {
    signal?.throwIfAborted();
    const pending = this.pool.connect().catch((error: unknown) => {
      throw this.isQueueTimeout(error) && this.allBusy() ? new PoolBusyError(this.connectTimeoutMs) : error;
    });
    if (!signal) return pending;
    return new Promise((resolve, reject) => {
      // An abort while queued answers now; the connection, when it comes, goes straight back.
      const onAbort = () => {
        reject(signal.reason);
        pending.then((client) => client.release(), () => {});
      };
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(
        (client) => {
          if (signal.aborted) return; // onAbort owns this client
          signal.removeEventListener('abort', onAbort);
          resolve(client);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /**
   * Returns a client to the pool, or destroys it when its connection failed: `failure` is
   * the error its query got, if any; a fatal one (or an 'error' event) means the session is gone.
   */
  release(client: pg.PoolClient, failure?: unknown): void {
    const lost = this.lost.has(client) || (failure !== undefined && isConnectionFailure(failure));
    client.release(lost ? (failure instanceof Error ? failure : new Error('connection lost')) : undefined);
  }

  /** Runs one statement on a pooled connection. */
  async query(query: pg.QueryConfig | pg.QueryArrayConfig, signal?: AbortSignal): Promise<pg.QueryResult> {
    const client = await this.checkout(signal);
    let failure: unknown;
    try {
      return await client.query(query as pg.QueryConfig);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      this.release(client, failure);
    }
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  private isQueueTimeout(error: unknown): boolean {
    return error instanceof Error && error.message === QUEUE_TIMEOUT_MESSAGE;
  }

  /** Every slot holds a live session and none is idle: the wait was for queries to finish. */
  private allBusy(): boolean {
    return this.connected.size >= this.max && this.pool.idleCount === 0;
  }
}

/**
 * A query error that ended the session rather than the statement: not a server message at
 * all (socket errors, "Connection terminated"; server messages carry a severity), a FATAL
 * or PANIC from the server (pg_terminate_backend is 57P01 FATAL), or SQLSTATE class 08.
 */
function isConnectionFailure(error: unknown): boolean {
  const e = error as { code?: unknown; severity?: unknown };
  if (typeof e?.severity !== 'string') return true;
  return e.severity === 'FATAL' || e.severity === 'PANIC' || String(e.code).startsWith('08');
}
