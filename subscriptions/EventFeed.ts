import type { StreamEvent } from './window/index.ts';

/** Where a stream's events come from: a Kafka topic, or the demo generator. */
export interface EventFeed {
  /** Called with every batch of decoded events, in arrival order. Returns an unsubscribe. */
  onEvents(listener: (batch: readonly StreamEvent[]) => void): () => void;
  /**
   * Starts consuming; resolves once the feed is positioned (history within retention
   * replayed or queued). Called again after a failed start. Once `signal` aborts, the
   * attempt must release what it opened.
   */
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  /** Event time from which this feed started reading (history before it is not available). */
  readonly startedAt: number;
}
