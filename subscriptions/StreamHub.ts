import { randomUUID } from 'node:crypto';
import { badInput, ErrorCode, TributaryError } from '../errors/index.ts';
import { formatInstant } from '../planner/index.ts';
import type { Config, StreamConfig } from '../schema/index.ts';
import type { Source } from '../sources/index.ts';
import { DemoFeed } from './DemoFeed.ts';
import type { EventFeed } from './EventFeed.ts';
import { FeedSupervisor } from './FeedSupervisor.ts';
import { KafkaFeed } from './KafkaFeed.ts';
import { LandingFeed } from './LandingFeed.ts';
import { LandingOffsets } from './LandingOffsets.ts';
import { LandingWriter } from './LandingWriter.ts';
import { newestEventTime } from './newestEventTime.ts';
import { RetainedEvents } from './RetainedEvents.ts';
import { SharedOperator } from './SharedOperator.ts';
import { StreamClock } from './StreamClock.ts';
import type { StreamPlan } from './StreamPlan.ts';
import { Subscriber } from './Subscriber.ts';
import { subscribeWithReplay } from './subscribeWithReplay.ts';
import { openFusion, type MemberTap, type RunningFusion } from './fusion/openFusion.ts';
import type { StreamFusionPlan } from './fusion/StreamFusionPlan.ts';
import type { StreamEvent, WindowSpec } from './window/index.ts';

export interface StreamCounters {
  event(stream: string, n: number): void;
  /** Events behind the stream's watermark (StreamClock), once per stream whatever its subscriptions. */
  late(stream: string, n: number): void;
  /** Final window versions a slow subscriber's queue dropped (windows it never sees closed). */
  dropped(stream: string, windows: number): void;
  bad(stream: string): void;
  /** Event members that nothing maps, by JSON pointer (at most 100 labels per stream, then "(other)"). */
  unknownFields?(stream: string, field: string, n: number): void;
  subscribers(stream: string, n: number): void;
  /** Events of a stream fusion's member that reached fused windows already closed without them (FusedOperator). */
  fusionAfterClose?(fusion: string, member: string, n: number): void;
  log(message: string, error?: unknown): void;
}

interface StreamState {
  /** Replaced by remap() with a config that differs only in its schema mapping, so replays read with the mapping in force. */
  config: StreamConfig;
  readonly feed: EventFeed;
  readonly retained: RetainedEvents;
  /** Stream time and lateness, kept once per stream (not per operator). */
  readonly clock: StreamClock;
  readonly operators: Map<string, SharedOperator>;
  /** Stream fusions this stream is a member of: each takes its batches (by fused plan key). */
  readonly taps: Map<string, (batch: readonly StreamEvent[]) => void>;
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
  /** Schema mappings reloaded before the stream's feed was created: it starts with them. */
  private readonly remapped = new Map<string, StreamConfig>();
  /** Fused operators of stream fusions, by plan key, while they have subscribers. */
  private readonly fusions = new Map<string, RunningFusion>();
  private readonly fusionSubscribers = new Map<string, number>();

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

  async subscribe(asked: StreamPlan, planKey: string, emit: 'CHANGES' | 'FINAL', throttleMs: number): Promise<Subscriber> {
    const state = this.state(asked.stream);
    await state.supervisor.ready();
    const plan = await resolveSince(asked, state);
    // A replay is delivered to the subscriber that asked for it, so `since` plans are not
    // shared: a second subscriber with the same `since` gets its own replay.
    const key = plan.sinceMs === null ? planKey : `${planKey}:${randomUUID()}`;
    // Memory holds every event at or after `since` only if `since` is within its horizon and
    // the feed read every record that can hold such an event (record time >= since, see
    // KafkaReplay): otherwise a Kafka stream replays from the topic.
    if (plan.sinceMs !== null && (plan.sinceMs < state.retained.horizon || plan.sinceMs < state.feed.startedAt) && state.feed instanceof KafkaFeed) {
      return subscribeWithReplay(plan, state.config, state.feed, state.retained, { emit, throttleMs }, {
        register: (operator) => state.operators.set(key, operator),
        unregister: () => state.operators.delete(key),
        subscribers: (delta) => this.counters.subscribers(plan.stream, (state.subscriberCount += delta)),
        dropped: (windows) => this.counters.dropped(plan.stream, windows),
        log: this.counters.log,
      });
    }
    // The demo feed generates from its start: nothing before it, or before memory's horizon, exists.
    if (plan.sinceMs !== null && plan.sinceMs < state.retained.horizon && plan.sinceMs < state.feed.startedAt) {
      throw badInput(`since: ${formatInstant(plan.sinceMs, state.config.view.timezone)} is older than this stream keeps (retention); query ${state.config.landing?.dataset ?? 'the landing table'} for older windows`);
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

  /**
   * Subscribes to a stream fusion: every member's feed is started (any that cannot start
   * fails the subscription as for its stream), and subscribers with equal plans share one
   * fused operator, fed by taps on the members' feeds while it has subscribers.
   */
  async subscribeFusion(plan: StreamFusionPlan, planKey: string, emit: 'CHANGES' | 'FINAL', throttleMs: number): Promise<Subscriber> {
    const states = plan.members.map((m) => this.state(m.stream));
    await Promise.all(states.map((s) => s.supervisor.ready()));
    let running = this.fusions.get(planKey);
    if (!running) {
      const configs = Object.fromEntries(states.map((s) => [s.config.name, s.config]));
      const taps: MemberTap[] = states.map((state) => ({
        history: state.retained.since(replayStart(plan.window, state)),
        tap: (take) => {
          state.taps.set(planKey, take);
          return () => state.taps.delete(planKey);
        },
      }));
      running = openFusion(plan, configs, taps, this.counters.log, (member, n) => this.counters.fusionAfterClose?.(plan.fusion, member, n));
      this.fusions.set(planKey, running);
    }
    const fusion = running;
    const count = (delta: number) => {
      const n = (this.fusionSubscribers.get(plan.fusion) ?? 0) + delta;
      this.fusionSubscribers.set(plan.fusion, n);
      this.counters.subscribers(plan.fusion, n);
    };
    const subscriber = new Subscriber(emit, throttleMs, (s) => {
      if (fusion.operator.leave(s) && this.fusions.get(planKey) === fusion) {
        fusion.close();
        this.fusions.delete(planKey);
      }
      count(-1);
    }, (windows) => this.counters.dropped(plan.fusion, windows));
    fusion.operator.join(subscriber);
    count(+1);
    subscriber.changed(fusion.operator.current());
    return subscriber;
  }

  /**
   * Reads the events of a running stream with a new schema mapping (`fields:`, `version:`):
   * the entry point of a config reload. Only the feeds' event readers are swapped, between
   * two batches; the consumer, the retained events, the stream clock and every window
   * operator stay, so open windows keep what they counted and take the next events read
   * the new way. Anything else that differs from the running stream (a dimension, grace, the
   * topic...) needs a restart: then nothing is swapped and the answer says what differs.
   * Returns null when applied.
   */
  remap(config: StreamConfig): string | null {
    const running = this.streams.get(config.name)?.config ?? this.remapped.get(config.name) ?? this.config.streams[config.name];
    if (!running) return `stream ${config.name} is not served by this gateway; a new stream needs a restart`;
    const differs = differingKeys(running, config);
    if (differs.length > 0) return `stream ${config.name}: ${differs.join(', ')} changed; only fields: and version: are applied while the gateway runs (restart for the rest)`;
    this.remapped.set(config.name, config);
    const state = this.streams.get(config.name);
    if (!state) return null;
    state.config = config; // replays from Kafka (subscribeWithReplay) decode with it
    if (state.feed instanceof KafkaFeed) state.feed.remap(config);
    state.landingFeed?.feed.remap(config);
    return null;
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
    for (const fusion of this.fusions.values()) fusion.close();
    this.fusions.clear();
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
    const config = this.remapped.get(name) ?? this.config.streams[name]!;
    const unknownFields = this.counters.unknownFields?.bind(this.counters);
    const feed: EventFeed =
      config.kafka.brokers.length === 0
        ? new DemoFeed(config)
        : new KafkaFeed(config, {
            onBadMessage: () => this.counters.bad(name),
            onUnknownFields: unknownFields && ((field, n) => unknownFields(name, field, n)),
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
    state = { config, feed, retained, clock, operators, taps: new Map(), landing, landingFeed, ensureTable, supervisor, subscriberCount: 0 };
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
    for (const take of state.taps.values()) take(batch);
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

/** The keys of a stream's config, other than its schema mapping (and the view derived from the rest), whose values differ. */
function differingKeys(running: StreamConfig, next: StreamConfig): string[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)] as (keyof StreamConfig)[]);
  keys.delete('schemaMapping');
  keys.delete('view');
  return [...keys].filter((k) => JSON.stringify(running[k]) !== JSON.stringify(next[k]));
}

/**
 * A relative `since` ("-15m") counts back from the stream's time, the largest event time
 * its feed has seen, not from the wall clock (event times may be a backfill of last year).
 * Before the feed has seen an event, the stream's time is the newest event time in the
 * topic (newestEventTime); for an empty topic (or the demo feed), the wall clock.
 */
async function resolveSince(plan: StreamPlan, state: StreamState): Promise<StreamPlan> {
  if (plan.sinceBackMs === null) return plan;
  let time: number | null = Number.isFinite(state.clock.time) ? state.clock.time : null;
  if (time === null && state.feed instanceof KafkaFeed) {
    try {
      time = await newestEventTime(state.config, AbortSignal.timeout(Math.max(30_000, state.config.connectTimeoutMs)));
    } catch (error) {
      // Driver text and hosts stay in `cause`.
      throw new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `stream ${plan.stream}: could not read the newest events of its topic to resolve since`, { source: plan.stream }, error);
    }
  }
  return Object.freeze({ ...plan, sinceMs: (time ?? Date.now()) - plan.sinceBackMs });
}

/** A new operator replays enough history for the windows open now. */
function replayStart(window: WindowSpec, state: StreamState): number {
  const span = window.kind === 'session' ? state.config.retentionMs : window.sizeMs;
  return state.retained.horizon + state.config.retentionMs - span - state.config.graceMs;
}
