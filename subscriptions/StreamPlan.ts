import { badInput, limitExceeded } from '../errors/index.ts';
import { parseDuration, type DatasetConfig, type ServerConfig } from '../schema/index.ts';
import { buildPlan, normalizeFilter, planKey, type AggregatePlan, type DatasetRequest, type Expression, type Filter } from '../planner/index.ts';
import { MAX_WINDOWS_PER_EVENT, type WindowSpec } from './window/index.ts';

/**
 * What a window operator computes; subscriptions with equal plans share one operator.
 * Plain frozen data: window, pre-aggregation filter, grouping, measures, replay start.
 */
export interface StreamPlan {
  readonly kind: 'stream';
  readonly stream: string;
  readonly window: WindowSpec;
  readonly filter: Filter | null;
  readonly groupBy: readonly string[];
  readonly measures: readonly string[];
  readonly sinceMs: number | null;
  /**
   * A relative `since` ("-15m" → 900000): counted back from the stream's time when the
   * subscription starts (StreamHub resolves it into sinceMs), not from the wall clock.
   */
  readonly sinceBackMs: number | null;
}

/** What each subscription does on its own with the operator's windows. */
export interface SubscriptionShape {
  readonly emit: 'CHANGES' | 'FINAL';
  readonly throttleMs: number;
  /** Order, limit and calcs of the rows, as an aggregate plan over the stream's view. */
  readonly rows: AggregatePlan;
  readonly calcs: ReadonlyMap<string, Expression>;
}

export interface SubscriptionArgs {
  readonly window: { tumble?: string | null; hop?: { size: string; advance: string } | null; session?: { gap: string } | null };
  readonly where?: unknown;
  readonly orderBy?: readonly Record<string, unknown>[] | null;
  readonly limit?: number | null;
  readonly emit?: string | null;
  readonly throttle?: string | null;
  readonly since?: string | null;
}

/**
 * Plans a subscription. `view` is the stream seen as a dataset (its dimensions and
 * measures); `security` is the caller's row policy, ANDed into the operator's filter so
 * that subscribers under different policies never share an operator. `_now` is no longer
 * read: a relative `since` counts back from stream time, which StreamHub knows (kept so
 * callers need not change).
 */
export function planSubscription(
  view: DatasetConfig,
  args: SubscriptionArgs,
  selection: NonNullable<DatasetRequest['rows']>,
  server: ServerConfig,
  _now: number,
  security: readonly Filter[] = [],
): { plan: StreamPlan; key: string; shape: SubscriptionShape } {
  const rows = buildPlan(view, { dataset: view.name, rows: selection, totals: null, where: args.where, orderBy: args.orderBy, limit: args.limit }, server, security);
  const filter = security.length === 0 ? rows.rows!.filter : normalizeFilter({ kind: 'and', args: [rows.rows!.filter, ...security].filter((f): f is Filter => f !== null) });
  const plan: StreamPlan = Object.freeze({
    kind: 'stream',
    stream: view.name,
    window: windowSpec(args.window),
    filter,
    groupBy: Object.freeze(rows.rows!.dimensions.map((d) => d.name)),
    measures: Object.freeze([...new Set(rows.rows!.measures.map((m) => m.measure))]),
    ...sinceOf(args.since ?? null),
  });
  const throttleMs = args.throttle ? requireDuration('throttle', args.throttle) : 250;
  return {
    plan,
    key: planKey(plan),
    shape: { emit: args.emit === 'FINAL' ? 'FINAL' : 'CHANGES', throttleMs, rows: rows.rows!, calcs: rows.calcs },
  };
}

export function windowSpec(w: SubscriptionArgs['window']): WindowSpec {
  const given = [w.tumble, w.hop, w.session].filter((x) => x != null);
  if (given.length !== 1) throw badInput(`window: set exactly one of tumble, hop or session, got ${given.length}`);
  if (w.tumble != null) return { kind: 'tumble', sizeMs: requireDuration('window.tumble', w.tumble) };
  if (w.hop != null) {
    const sizeMs = requireDuration('window.hop.size', w.hop.size);
    const advanceMs = requireDuration('window.hop.advance', w.hop.advance);
    if (advanceMs > sizeMs) throw badInput(`window.hop: advance ${w.hop.advance} is longer than size ${w.hop.size}; events would fall between windows`);
    const perEvent = Math.ceil(sizeMs / advanceMs);
    if (perEvent > MAX_WINDOWS_PER_EVENT) {
      throw limitExceeded(
        `window.hop: size ${w.hop.size} with advance ${w.hop.advance} puts every event in ${perEvent} windows; the limit is ${MAX_WINDOWS_PER_EVENT} windows per event (size / advance). Use an advance of at least ${Math.ceil(sizeMs / MAX_WINDOWS_PER_EVENT)}ms, or a tumble window`,
        { limit: 'windowsPerEvent', max: MAX_WINDOWS_PER_EVENT, found: perEvent },
      );
    }
    return { kind: 'hop', sizeMs, advanceMs };
  }
  return { kind: 'session', gapMs: requireDuration('window.session.gap', w.session!.gap) };
}

/** A positive whole number of milliseconds from a duration text, or BAD_USER_INPUT naming `path`. */
export function requireDuration(path: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms < 1 || !Number.isInteger(ms)) throw badInput(`${path}: expected a duration such as 500ms, 10s, 1m, 2h or 1d, got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * `-15m` (relative to the stream's time, resolved when the subscription starts) or an
 * ISO-8601 time.
 */
function sinceOf(text: string | null): Pick<StreamPlan, 'sinceMs' | 'sinceBackMs'> {
  if (!text) return { sinceMs: null, sinceBackMs: null };
  if (text.startsWith('-')) return { sinceMs: null, sinceBackMs: requireDuration('since', text.slice(1)) };
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw badInput(`since: expected "-15m" or an ISO-8601 time, got ${JSON.stringify(text)}`);
  return { sinceMs: ms, sinceBackMs: null };
}
