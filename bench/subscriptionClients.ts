import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { TransportWsSocket } from './transportWsSocket.ts';

/** Fields of one received window version, packed into `SubscriptionRecording.versions`. */
export const VERSION_FIELDS = 4; // start, maxSent (NaN without one), receivedAt, final (1/0)

export interface SubscriptionRecording {
  /** VERSION_FIELDS numbers per received version, in arrival order. */
  readonly versions: Float64Array;
  /** Final versions received. */
  readonly finals: number;
  /** sha1 of the final versions as received (the result JSON), in window order: equal digests, equal finals. */
  readonly finalsDigest: string;
  readonly errors: readonly string[];
}

export interface CollectResult {
  readonly recordings: readonly SubscriptionRecording[];
  /** This process's event-loop delay since the previous collect: a busy client delays receipts. */
  readonly clientLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

/**
 * One subscription's receipts. A frame is only stamped and kept when it arrives (one process
 * receives for thousands of subscribers, so parsing it there would delay every frame behind
 * it); collect() parses them.
 */
interface Recorder {
  readonly field: string;
  readonly frames: string[];
  readonly receivedAt: number[];
  /** Frames that hold a final version (`"final":true` cannot occur inside a JSON string). */
  finals: number;
  errors: string[];
}

interface WindowPayload {
  readonly start: string;
  readonly end: string;
  readonly final: boolean;
  readonly rows: readonly { readonly maxSent?: number | null }[];
}

/**
 * graphql-transport-ws subscribers (a lean protocol client, bench/transportWsSocket.ts), many subscriptions per
 * connection or one each, recording when each window version arrives and how fresh it
 * is (the largest `maxSent` among its rows).
 */
export class SubscriptionClients {
  private readonly clients: TransportWsSocket[] = [];
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
    while (!this.recorders.every((r) => r.finals >= count || r.errors.length > 0)) {
      if (Date.now() > deadline) {
        const least = Math.min(...this.recorders.map((r) => r.finals));
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${count} final windows per subscription; the slowest has ${least}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  collect(): CollectResult {
    const ms = (ns: number) => ns / 1e6;
    const clientLoopDelayMs = { p50: ms(this.loopDelay.percentile(50)), p99: ms(this.loopDelay.percentile(99)), max: ms(this.loopDelay.max) };
    this.loopDelay.reset();
    const recordings = this.recorders.map(recordingOf);
    return { recordings, clientLoopDelayMs };
  }

  /** Completes every subscription and closes every socket. */
  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close()));
    this.recorders.length = 0;
  }

  private async connect(url: string): Promise<TransportWsSocket> {
    const client = await TransportWsSocket.open(url);
    this.clients.push(client);
    return client;
  }

  private subscribe(client: TransportWsSocket, field: string, query: string): void {
    const recorder: Recorder = { field, frames: [], receivedAt: [], finals: 0, errors: [] };
    this.recorders.push(recorder);
    client.subscribe(query, {
      next: (json) => {
        recorder.receivedAt.push(Date.now());
        recorder.frames.push(json);
        if (json.includes('"final":true')) recorder.finals += 1;
        if (json.includes('"errors":')) recorder.errors.push(json.slice(0, 500));
      },
      error: (error) => recorder.errors.push(typeof error === 'string' ? error : JSON.stringify(error)),
    });
  }
}

/** A subscription's receipts, parsed: each version's start, freshness and arrival, and its finals' digest. */
function recordingOf(r: Recorder): SubscriptionRecording {
  const versions: number[] = [];
  const finals = new Map<number, string>();
  r.frames.forEach((json, i) => {
    const w = (JSON.parse(json) as { data?: Record<string, WindowPayload | undefined> | null }).data?.[r.field];
    if (!w) return;
    let maxSent = -Infinity;
    for (const row of w.rows) if (typeof row.maxSent === 'number' && row.maxSent > maxSent) maxSent = row.maxSent;
    const start = Date.parse(w.start);
    versions.push(start, Number.isFinite(maxSent) ? maxSent : NaN, r.receivedAt[i]!, w.final ? 1 : 0);
    if (w.final) finals.set(start, json);
  });
  const ordered = [...finals].sort(([a], [b]) => a - b).map(([, json]) => json);
  return {
    versions: Float64Array.from(versions),
    finals: ordered.length,
    finalsDigest: createHash('sha1').update(ordered.join('\n')).digest('hex'),
    errors: [...r.errors],
  };
}
