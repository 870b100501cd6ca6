import type { StreamConfig } from '../schema/index.ts';
import { createDecoder } from './decodeEvent.ts';
import type { EventFeed } from './EventFeed.ts';
import type { StreamEvent } from './window/index.ts';

const REGIONS = ['North America', 'Europe', 'Asia Pacific', 'Latin America', 'Middle East & Africa'];
const CHANNELS = ['Online', 'Retail', 'Partner', 'Marketplace'];

/** The demo's synthetic order: what `npm start` streams when no Kafka is configured. */
export function demoOrder(sequence: number, now: number): Record<string, unknown> {
  const h = (sequence * 2654435761) >>> 0;
  return {
    id: sequence,
    ts: now - (h % 1500), // a little out of order, as real producers are
    region: REGIONS[h % REGIONS.length],
    channel: CHANNELS[(h >>> 8) % CHANNELS.length],
    amount: Math.round(((h >>> 4) % 50_000) + 500) / 100,
    quantity: 1 + ((h >>> 12) % 5),
  };
}

/**
 * A stream fed by an in-process generator of demo orders (about `perSecond` a second),
 * so the demo's subscriptions work with no Kafka. Events go through the same decoder.
 */
export class DemoFeed implements EventFeed {
  readonly startedAt = Date.now();
  private readonly listeners = new Set<(batch: readonly StreamEvent[]) => void>();
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;

  constructor(
    private readonly stream: StreamConfig,
    private readonly perSecond = 40,
  ) {}

  onEvents(listener: (batch: readonly StreamEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    const decode = createDecoder(this.stream);
    const tickMs = 100;
    this.timer = setInterval(() => {
      const now = Date.now();
      const events: StreamEvent[] = [];
      for (let i = 0; i < (this.perSecond * tickMs) / 1000; i++) {
        const decoded = decode({ value: Buffer.from(JSON.stringify(demoOrder(this.sequence++, now))), timestamp: String(now) });
        if (decoded.ok) events.push(decoded.event);
      }
      for (const listener of this.listeners) listener(events);
    }, tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
  }
}
