import { randomUUID } from 'node:crypto';
import { badInput } from '../errors/index.ts';
import type { Config, StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import { DemoFeed } from './DemoFeed.ts';
import type { EventFeed } from './EventFeed.ts';
import { KafkaFeed } from './KafkaFeed.ts';
import { LandingWriter } from './LandingWriter.ts';
import { RetainedEvents } from './RetainedEvents.ts';
import { SharedOperator } from './SharedOperator.ts';
import { StreamClock } from './StreamClock.ts';
import type { StreamPlan } from './StreamPlan.ts';
import { Subscriber } from './Subscriber.ts';
import type { StreamEvent, WindowSpec } from './window/index.ts';

export interface StreamCounters {
  event(stream: string, n: number): void;
  /** Events behind the stream's watermark (StreamClock), once per stream whatever its subscriptions. */
  late(stream: string, n: number): void;
  /** Final window versions a slow subscriber's queue dropped (windows it never sees closed). */
  dropped(stream: string, windows: number): void;
  bad(stream: string): void;
  subscribers(stream: string, n: number): void;
  log(message: string, error?: unknown): void;
}

interface StreamState {
  readonly config: StreamConfig;
  readonly feed: EventFeed;
  readonly retained: RetainedEvents;
  /** Stream time and lateness, kept once per stream (not per operator). */
  readonly clock: StreamClock;
  readonly operators: Map<string, SharedOperator>;
  readonly landing: LandingWriter | null;
  readonly started: Promise<void>;
  subscriberCount: number;
}

/**
 * Owns every stream's feed (one Kafka consumer per topic), the window operators shared by
 * subscriptions with equal plans, and the landing writers. A feed starts with the first
 * subscription, or at start-up when the stream lands windows.
 */
export class StreamHub {
  private readonly streams = new Map<string, StreamState>();

  constructor(
    private readonly config: Config,
    private readonly sources: ReadonlyMap<string, Source>,
    private readonly counters: StreamCounters,
  ) {}

  /** Starts the streams that land windows (their tables must exist before datasets are checked). */
  async startLanding(): Promise<void> {
    for (const stream of Object.values(this.config.streams)) if (stream.landing) await this.state(stream.name).started;
  }

  async subscribe(plan: StreamPlan, planKey: string, emit: 'CHANGES' | 'FINAL', throttleMs: number): Promise<Subscriber> {
    // A replay is delivered to the subscriber that asked for it, so `since` plans are not
    // shared: a second subscriber with the same `since` gets its own replay.
    const key = plan.sinceMs === null ? planKey : `${planKey}:${randomUUID()}`;
    const state = this.state(plan.stream);
    await state.started;
    if (plan.sinceMs !== null && plan.sinceMs < state.retained.horizon && plan.sinceMs < state.feed.startedAt) {
      throw badInput(`since: ${new Date(plan.sinceMs).toISOString()} is older than this stream keeps (retention); query ${state.config.landing?.dataset ?? 'the landing table'} for older windows`);
    }
    let shared = state.operators.get(key);
    let history: StreamEvent[] = [];
    if (!shared) {
      shared = new SharedOperator(plan, state.config);
      history = state.retained.since(plan.sinceMs ?? replayStart(plan.window, state));
      // Without `since`, windows that close during the replay began before it (their rows
      // are partial): replay before anyone listens, so only the open windows are seen.
      if (plan.sinceMs === null) shared.add(history.splice(0));
      state.operators.set(key, shared);
    }
    const operator = shared;
    const subscriber = new Subscriber(emit, throttleMs, (s) => {
      operator.subscribers.delete(s);
      if (operator.subscribers.size === 0) state.operators.delete(key);
      this.counters.subscribers(plan.stream, --state.subscriberCount);
    }, (windows) => this.counters.dropped(plan.stream, windows));
    operator.subscribers.add(subscriber);
    this.counters.subscribers(plan.stream, ++state.subscriberCount);
    // With `since`, the windows that close during the replay are the history asked for.
    if (history.length > 0) operator.add(history);
    subscriber.changed(operator.current());
    return subscriber;
  }

  /** The landing writer of a stream (tests wait on it). */
  landing(stream: string): LandingWriter | null {
    return this.streams.get(stream)?.landing ?? null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map(async (s) => {
      await s.started.catch(() => {});
      await s.feed.stop();
      // A landing write retries until it succeeds: shutdown waits for it a bounded time, then stops it.
      await Promise.race([s.landing?.settled(), new Promise((resolve) => setTimeout(resolve, 3_000).unref())]);
      s.landing?.stop();
    }));
  }

  private state(name: string): StreamState {
    let state = this.streams.get(name);
    if (state) return state;
    const config = this.config.streams[name]!;
    const feed: EventFeed =
      config.kafka.brokers.length === 0
        ? new DemoFeed(config)
        : new KafkaFeed(config, {
            onBadMessage: () => this.counters.bad(name),
            log: this.counters.log,
          });
    const landing = config.landing
      ? new LandingWriter(config, this.sources.get(config.landing.source)!, feed.startedAt, (e) => this.counters.log(`landing ${name} failed`, e))
      : null;
    const retained = new RetainedEvents(config.retentionMs);
    const clock = new StreamClock(config.graceMs);
    const operators = new Map<string, SharedOperator>();
    feed.onEvents((batch) => this.dispatch(name, batch));
    const started = (async () => {
      await landing?.ensureTable();
      await feed.start();
    })();
    started.catch((e) => this.counters.log(`stream ${name} failed to start`, e));
    state = { config, feed, retained, clock, operators, landing, started, subscriberCount: 0 };
    this.streams.set(name, state);
    return state;
  }

  private dispatch(name: string, batch: readonly StreamEvent[]): void {
    const state = this.streams.get(name)!;
    this.counters.event(name, batch.length); // every feed's decoded events, counted in one place
    const late = state.clock.observe(batch);
    if (late > 0) this.counters.late(name, late);
    state.retained.add(batch);
    state.landing?.add(batch);
    for (const operator of state.operators.values()) operator.add(batch);
  }
}

/** A new operator replays enough history for the windows open now. */
function replayStart(window: WindowSpec, state: StreamState): number {
  const span = window.kind === 'session' ? state.config.retentionMs : window.sizeMs;
  return state.retained.horizon + state.config.retentionMs - span - state.config.graceMs;
}
