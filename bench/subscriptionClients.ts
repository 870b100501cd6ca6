import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Fields of one received window version, packed into `SubscriptionRecording.versions`. */
export const VERSION_FIELDS = 4; // start, maxSent (NaN without one), receivedAt, final (1/0)

export interface SubscriptionRecording {
  /** VERSION_FIELDS numbers per received version, in arrival order. */
  readonly versions: Float64Array;
  /** Final versions received. */
  readonly finals: number;
  /** sha1 of the final windows (bounds and rows) in window order: equal digests, equal finals. */
  readonly finalsDigest: string;
  readonly errors: readonly string[];
}

export interface CollectResult {
  readonly recordings: readonly SubscriptionRecording[];
  /** This process's event-loop delay since the previous collect: a busy client delays receipts. */
  readonly clientLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

interface Recorder {
  versions: number[];
  /** Final versions by window start, serialized at collect(): receipt stays cheap while a burst arrives. */
  finals: Map<number, WindowPayload>;
  errors: string[];
}

interface WindowPayload {
  readonly start: string;
  readonly end: string;
  readonly final: boolean;
  readonly rows: readonly { readonly maxSent?: number | null }[];
}

/**
 * graphql-ws subscribers (the `graphql-ws` client over `ws`), many subscriptions per
 * connection or one each, recording when each window version arrives and how fresh it
 * is (the largest `maxSent` among its rows).
 */
export class SubscriptionClients {
  private readonly clients: Client[] = [];
  private readonly recorders: Recorder[] = [];
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 5 });

  constructor() {
    this.loopDelay.enable();
  }

  /** Opens `connections` sockets (`parallel` handshakes at a time), each with `perConnection` subscriptions of `query`. */
  async open(url: string, field: string, query: string, connections: number, perConnection: number, parallel = 100): Promise<void> {
    for (let first = 0; first < connections; first += parallel) {
      const batch = Array.from({ length: Math.min(parallel, connections - first) }, () => this.connect(url));
      for (const client of await Promise.all(batch)) {
        for (let i = 0; i < perConnection; i++) this.subscribe(client, field, query);
      }
    }
  }

  /** Resolves once every subscription has `count` finals (or an error); throws after `timeoutMs`. */
  async waitFinals(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.recorders.every((r) => r.finals.size >= count || r.errors.length > 0)) {
      if (Date.now() > deadline) {
        const least = Math.min(...this.recorders.map((r) => r.finals.size));
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} final windows per subscription; the slowest has ${least}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  collect(): CollectResult {
    const ms = (ns: number) => ns / 1e6;
    const clientLoopDelayMs = { p50: ms(this.loopDelay.percentile(50)), p99: ms(this.loopDelay.percentile(99)), max: ms(this.loopDelay.max) };
    this.loopDelay.reset();
    const recordings = this.recorders.map((r) => {
      const finals = [...r.finals].sort(([a], [b]) => a - b).map(([, w]) => JSON.stringify(w));
      return {
        versions: Float64Array.from(r.versions),
        finals: finals.length,
        finalsDigest: createHash('sha1').update(finals.join('\n')).digest('hex'),
        errors: [...r.errors],
      };
    });
    return { recordings, clientLoopDelayMs };
  }

  /** Completes every subscription and closes every socket. */
  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.dispose()));
    this.recorders.length = 0;
  }

  private connect(url: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: (error) => reject(new Error(`graphql-ws connection failed: ${String((error as Error)?.message ?? error)}`)),
        on: { connected: () => resolve(client) },
      });
      this.clients.push(client);
    });
  }

  private subscribe(client: Client, field: string, query: string): void {
    const recorder: Recorder = { versions: [], finals: new Map(), errors: [] };
    this.recorders.push(recorder);
    client.subscribe<Record<string, WindowPayload>>(
      { query },
      {
        next: (result) => {
          const receivedAt = Date.now();
          if (result.errors) recorder.errors.push(JSON.stringify(result.errors));
          const w = result.data?.[field];
          if (!w) return;
          let maxSent = -Infinity;
          for (const row of w.rows) if (typeof row.maxSent === 'number' && row.maxSent > maxSent) maxSent = row.maxSent;
          const start = Date.parse(w.start);
          recorder.versions.push(start, Number.isFinite(maxSent) ? maxSent : NaN, receivedAt, w.final ? 1 : 0);
          if (w.final) recorder.finals.set(start, w);
        },
        error: (error) => recorder.errors.push(error instanceof Error ? error.message : JSON.stringify(error)),
        complete: () => {},
      },
    );
  }
}
