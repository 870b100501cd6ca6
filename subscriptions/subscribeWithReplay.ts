import { ErrorCode, TributaryError } from '../errors/index.ts';
import { formatInstant } from '../planner/index.ts';
import type { StreamConfig } from '../schema/index.ts';
import type { KafkaFeed } from './KafkaFeed.ts';
import { KafkaReplay } from './KafkaReplay.ts';
import type { RetainedEvents } from './RetainedEvents.ts';
import { SharedOperator } from './SharedOperator.ts';
import type { StreamPlan } from './StreamPlan.ts';
import { Subscriber } from './Subscriber.ts';
import type { StreamEvent } from './window/index.ts';

/**
 * The replay waits while the subscriber has more than this many versions queued (below the
 * 256 a Subscriber keeps for a reader that stopped pulling, so a pause loses nothing)...
 */
const BACKLOG_HIGH = 200;
/** ...and at most this long each time: past it the Subscriber's own bounds (dropping for a stalled reader) apply. */
const BACKLOG_WAIT_MS = 5_000;

export interface ReplayHooks {
  /** Makes the operator one of the stream's (it takes live batches from now on). */
  register(operator: SharedOperator): void;
  /** Removes it when its subscriber leaves (a no-op if it never joined). */
  unregister(operator: SharedOperator): void;
  subscribers(delta: 1 | -1): void;
  dropped(windows: number): void;
  log(message: string, error?: unknown): void;
}

/**
 * A subscription whose `since` is older than memory: its own operator, fed by a Kafka
 * replay (KafkaReplay) and then by the live feed. It resolves once the replay is
 * positioned (or throws BAD_USER_INPUT past the topic's retention); the replay runs on in
 * the background, waiting while the subscriber lags (backpressure), and stops when the
 * subscriber leaves. A replay that fails ends the subscription with SOURCE_UNAVAILABLE.
 */
export async function subscribeWithReplay(
  plan: StreamPlan,
  stream: StreamConfig,
  feed: KafkaFeed,
  retained: RetainedEvents,
  subscription: { readonly emit: 'CHANGES' | 'FINAL'; readonly throttleMs: number },
  hooks: ReplayHooks,
): Promise<Subscriber> {
  const abort = new AbortController();
  const operator = new SharedOperator(plan, stream);
  const subscriber = new Subscriber(
    subscription.emit,
    subscription.throttleMs,
    (s) => {
      abort.abort(new Error('the subscriber left'));
      if (operator.leave(s)) hooks.unregister(operator);
      hooks.subscribers(-1);
    },
    hooks.dropped,
  );
  operator.join(subscriber);
  hooks.subscribers(1);
  const replay = new KafkaReplay(stream, plan.sinceMs!, hooks.log);
  try {
    // Positioning is bounded like a feed's start (the subscriber cannot leave before it has the iterator).
    await replay.open(AbortSignal.any([abort.signal, AbortSignal.timeout(Math.max(30_000, stream.connectTimeoutMs))]));
  } catch (error) {
    await subscriber.return();
    await replay.close();
    throw error instanceof TributaryError ? error : unavailable(stream.name, error);
  }
  const live = {
    positions: () => feed.positions(),
    mark: () => retained.sequence,
    since: (mark: number) => retained.fromSequence(mark),
    join: (tail: readonly StreamEvent[]) => {
      if (abort.signal.aborted) return;
      operator.add(tail);
      hooks.register(operator);
    },
  };
  const add = async (batch: readonly StreamEvent[]) => {
    operator.add(batch);
    const deadline = Date.now() + BACKLOG_WAIT_MS;
    while (subscriber.backlog > BACKLOG_HIGH && Date.now() < deadline && !abort.signal.aborted) await new Promise((r) => setTimeout(r, 10));
  };
  replay
    .run(live, add, abort.signal)
    .catch((error: unknown) => {
      if (abort.signal.aborted) return; // the subscriber left: nothing to report
      hooks.log(`stream ${stream.name}: replay since ${formatInstant(plan.sinceMs!, stream.view.timezone)} failed`, error);
      subscriber.fail(unavailable(stream.name, error));
    })
    .finally(() => replay.close());
  subscriber.changed(operator.current());
  return subscriber;
}

function unavailable(stream: string, cause: unknown): TributaryError {
  // Driver text and hosts stay in `cause` (logged), not in the client's message.
  return new TributaryError(ErrorCode.SOURCE_UNAVAILABLE, `stream ${stream}: the replay from Kafka failed; see the gateway log`, { source: stream }, cause);
}
