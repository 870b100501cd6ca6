import { randomUUID } from 'node:crypto';
import { badInput } from '../errors/index.ts';
import type { Config, StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import { DemoFeed } from './DemoFeed.ts';
import type { EventFeed } from './EventFeed.ts';
import { FeedSupervisor } from './FeedSupervisor.ts';
import { KafkaFeed } from './KafkaFeed.ts';
import { LandingFeed } from './LandingFeed.ts';
import { LandingOffsets } from './LandingOffsets.ts';
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
  /**
   * The landing consumer (a Kafka stream with landing): one member of the group that the
   * landing writers of all replicas share, with its own supervisor. Null for the demo feed,
   * whose windows the writer takes from the live feed.
   */
  readonly landingFeed: { readonly feed: LandingFeed; readonly supervisor: FeedSupervisor } | null;
  /** Creates the landing table once (a no-op without landing). */
  readonly ensureTable: () => Promise<void>;
  /** Starts the feed, bounded by connectTimeout, and restarts it with backoff after failures. */
  readonly supervisor: FeedSupervisor;
  subscriberCount: number;
}

/**
 * Owns every stream's feed (one Kafka consumer per topic), the window operators shared by
 * subscriptions with equal plans, and the landing writers. A feed starts with the first
 * subscription; one that cannot start fails its subscriptions with SOURCE_UNAVAILABLE
 * within connectTimeout and keeps retrying. A Kafka stream with landing also has a landing
 * consumer (LandingFeed), started at start-up, in the group shared by all replicas; the
 * demo feed's windows are landed from the live feed, started at start-up then.
 */
export class StreamHub {
  private readonly streams = new Map<string, StreamState>();

  constructor(
    private readonly config: Config,
    private readonly sources: ReadonlyMap<string, Source>,
    private readonly counters: StreamCounters,
  ) {}

  /**
   * Creates the landing tables (they must exist before datasets are checked) and starts
   * those streams' feeds in the background: a broker that is down does not stop the
   * gateway from serving; the feed retries until it is back.
   */
  async startLanding(): Promise<void> {
    for (const stream of Object.values(this.config.streams)) {
      if (!stream.landing) continue;
      const state = this.state(stream.name);
      await state.ensureTable();
      // Failures are logged and retried by the supervisor.
      (state.landingFeed?.supervisor ?? state.supervisor).ready().catch(() => {});
    }
  }

  async subscribe(plan: StreamPlan, planKey: string, emit: 'CHANGES' | 'FINAL', throttleMs: number): Promise<Subscriber> {
    // A replay is delivered to the subscriber that asked for it, so `since` plans are not
    // shared: a second subscriber with the same `since` gets its own replay.
    const key = plan.sinceMs === null ? planKey : `${planKey}:${randomUUID()}`;
    const state = this.state(plan.stream);
    await state.supervisor.ready();
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
      if (operator.leave(s)) state.operators.delete(key);
      this.counters.subscribers(plan.stream, --state.subscriberCount);
    }, (windows) => this.counters.dropped(plan.stream, windows));
    operator.join(subscriber);
    this.counters.subscribers(plan.stream, ++state.subscriberCount);
    // With `since`, the windows that close during the replay are the history asked for.
    if (history.length > 0) operator.add(history);
    subscriber.changed(operator.current());
    return subscriber;
  }

  /** The landing consumer of a Kafka stream (tests wait on it). */
  landingFeed(stream: string): LandingFeed | null {
    return this.streams.get(stream)?.landingFeed?.feed ?? null;
  }

  /** The landing writer of a stream (tests wait on it). */
  landing(stream: string): LandingWriter | null {
    return this.streams.get(stream)?.landing ?? null;
  }

  /** Stops every feed, whatever its state, and waits (bounded) for pending landing writes. */
  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map(async (s) => {
      await Promise.all([s.supervisor.close(), s.landingFeed?.supervisor.close()]);
      if (s.landing && !(await settledWithin(s.landing.settled(), LANDING_SETTLE_MS))) {
        this.counters.log(`landing ${s.config.name}: writes still pending after ${LANDING_SETTLE_MS} ms at shutdown`);
      }
      s.landing?.stop(); // a landing write retries until it succeeds: not after shutdown
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
    const landingSource = config.landing ? this.sources.get(config.landing.source)! : null;
    const offsets = config.landing && feed instanceof KafkaFeed ? new LandingOffsets(landingSource!, config.landing.table, config.landing.groupId, config.kafka.topic) : null;
    const landing = config.landing
      ? new LandingWriter(config, landingSource!, feed.startedAt, (e) => this.counters.log(`landing ${name} failed`, e), offsets)
      : null;
    let landingFeed: StreamState['landingFeed'] = null;
    if (landing && offsets) {
      const lf = new LandingFeed(config, landing, offsets, this.counters.log);
      const start = async (signal: AbortSignal) => {
        await ensureTable();
        signal.throwIfAborted();
        await lf.start(signal);
      };
      landingFeed = { feed: lf, supervisor: new FeedSupervisor({ stream: name, connectTimeoutMs: config.connectTimeoutMs, start, stop: () => lf.stop(), log: this.counters.log }) };
    }
    const retained = new RetainedEvents(
      config.retentionMs,
      Object.values(config.dimensions).map((d) => d.name),
      Object.values(config.measures).map((m) => m.name),
    );
    const clock = new StreamClock(config.graceMs);
    const operators = new Map<string, SharedOperator>();
    feed.onEvents((batch) => this.dispatch(name, batch));
    let tableReady: Promise<void> | null = null;
    // Created once; a failed create is tried again by the next caller (the next start attempt).
    const ensureTable = () =>
      (tableReady ??= (landing?.ensureTable() ?? Promise.resolve()).catch((error: unknown) => {
        tableReady = null;
        throw error;
      }));
    const supervisor = new FeedSupervisor({
      stream: name,
      connectTimeoutMs: config.connectTimeoutMs,
      start: async (signal) => {
        await ensureTable();
        signal.throwIfAborted();
        await feed.start(signal);
      },
      stop: () => feed.stop(),
      log: this.counters.log,
    });
    state = { config, feed, retained, clock, operators, landing, landingFeed, ensureTable, supervisor, subscriberCount: 0 };
    this.streams.set(name, state);
    return state;
  }

  private dispatch(name: string, batch: readonly StreamEvent[]): void {
    const state = this.streams.get(name)!;
    this.counters.event(name, batch.length); // every feed's decoded events, counted in one place
    const late = state.clock.observe(batch);
    if (late > 0) this.counters.late(name, late);
    state.retained.add(batch);
    if (!state.landingFeed) state.landing?.add(batch); // a Kafka stream's landing reads through its own group
    for (const operator of state.operators.values()) operator.add(batch);
  }
}

/** Shutdown waits this long for landing writes in flight (a database that is down must not hold it). */
const LANDING_SETTLE_MS = 3_000;

/** True if `work` settled within `ms`. */
async function settledWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A new operator replays enough history for the windows open now. */
function replayStart(window: WindowSpec, state: StreamState): number {
  const span = window.kind === 'session' ? state.config.retentionMs : window.sizeMs;
  return state.retained.horizon + state.config.retentionMs - span - state.config.graceMs;
}
