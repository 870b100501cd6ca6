import { badInput } from '../../errors/index.ts';
import { buildPlan, normalizeFilter, planKey, renameFilterFields, type DatasetRequest, type Filter } from '../../planner/index.ts';
import type { ServerConfig, StreamFusionConfig } from '../../schema/index.ts';
import { requireDuration, windowSpec, type SubscriptionArgs, type SubscriptionShape } from '../StreamPlan.ts';
import type { WindowSpec } from '../window/index.ts';

/** One member stream of a fused plan: its own grouping (the keys under its names), filter and measures. */
export interface FusionMemberPlan {
  readonly stream: string;
  /** The member's dimension for each of the plan's keys, in the plan's key order. */
  readonly keyDims: readonly string[];
  /** The subscription's filter on keys, under the member's names, ANDed with the caller's row policy on the member. */
  readonly filter: Filter | null;
  readonly measures: readonly string[];
}

/**
 * What a fused window operator computes; subscriptions with equal plans share one. Plain
 * frozen data: the window, the join, the selected keys, and one plan per member stream.
 */
export interface StreamFusionPlan {
  readonly kind: 'streamFusion';
  readonly fusion: string;
  readonly join: StreamFusionConfig['join'];
  readonly window: WindowSpec;
  readonly idleTimeoutMs: number;
  /** The fusion's keys this subscription groups by (the selected ones), sorted. */
  readonly keys: readonly string[];
  readonly members: readonly FusionMemberPlan[];
}

/**
 * Plans a subscription to a stream fusion: where, order, limit and calcs as for a stream,
 * over the fusion's view (keys and every member's measures); `security` holds the caller's
 * row policy on each member stream, which applies to that member's events. Session windows
 * are refused: each member's sessions would end at other times, so there is no common
 * window to join in.
 */
export function planStreamFusion(
  fusion: StreamFusionConfig,
  args: SubscriptionArgs,
  selection: NonNullable<DatasetRequest['rows']>,
  server: ServerConfig,
  security: Readonly<Record<string, readonly Filter[]>>,
): { plan: StreamFusionPlan; key: string; shape: SubscriptionShape } {
  if (args.since != null) throw badInput(`since: stream fusions do not replay; subscribe to ${Object.keys(fusion.members).join(' or ')} for a replay`);
  const window = windowSpec(args.window);
  if (window.kind === 'session') throw badInput('window.session: stream fusions join tumbling or hopping windows (the members\' sessions would not line up); use tumble or hop');
  const built = buildPlan(fusion.view, { dataset: fusion.name, rows: selection, totals: null, where: args.where, orderBy: args.orderBy, limit: args.limit }, server);
  const rows = built.rows!;
  const keys = [...new Set(rows.dimensions.map((d) => d.name))].sort();
  const measures = [...new Set(rows.measures.map((m) => m.measure))];
  const members = Object.entries(fusion.members).map(([stream, mapping]): FusionMemberPlan => {
    const own = rows.filter && renameFilterFields(rows.filter, (key) => mapping[key]!);
    const parts = [own, ...(security[stream] ?? [])].filter((f): f is Filter => f !== null);
    return Object.freeze({
      stream,
      keyDims: Object.freeze(keys.map((k) => mapping[k]!)),
      filter: parts.length === 0 ? null : normalizeFilter(parts.length === 1 ? parts[0]! : { kind: 'and', args: parts }),
      measures: Object.freeze(measures.filter((m) => fusion.measureMember[m] === stream)),
    });
  });
  const plan: StreamFusionPlan = Object.freeze({
    kind: 'streamFusion',
    fusion: fusion.name,
    join: fusion.join,
    window,
    idleTimeoutMs: fusion.idleTimeoutMs,
    keys: Object.freeze(keys),
    members: Object.freeze(members),
  });
  const throttleMs = args.throttle ? requireDuration('throttle', args.throttle) : 250;
  return { plan, key: planKey(plan), shape: { emit: args.emit === 'FINAL' ? 'FINAL' : 'CHANGES', throttleMs, rows, calcs: built.calcs } };
}
