import { Kind, type GraphQLResolveInfo } from 'graphql';
import { formatInstant } from '../planner/index.ts';
import type { Config, StreamFusionConfig } from '../schema/index.ts';
import { rowPolicy } from '../security/index.ts';
import { planStreamFusion, type FusedWindowState, type SubscriptionArgs, type SubscriptionShape, type WindowState } from '../subscriptions/index.ts';
import { attachCalcs, resolveCalc } from './calcRows.ts';
import { collectFields } from './collectSelection.ts';
import { mapEvents } from './mapEvents.ts';
import type { RequestContext } from './RequestContext.ts';
import { joinPayloads } from './sharedPayloads.ts';
import { windowRows } from './windowRows.ts';

/**
 * The Subscription field of a stream fusion: plans the fused subscription (window, keys
 * and measures from the selection, the caller's row policy on each member stream), joins
 * the shared fused operator for that plan, and maps each fused window version to this
 * subscription's rows (its own order, limit and calcs across members). Payloads are shared
 * by the subscriptions of one operator and shape, as for single streams: the row policies
 * are part of the operator's plan, so sharing an operator means sharing what may be seen.
 */
export function streamFusionResolvers(fusion: StreamFusionConfig, config: Config) {
  const view = fusion.view;
  return {
    Subscription: {
      [fusion.name]: {
        subscribe: async (_: unknown, args: SubscriptionArgs, ctx: RequestContext, info: GraphQLResolveInfo) => {
          const selection = { dimensions: [] as { name: string; granularity: null }[], measures: [] as string[], calcs: [] as string[] };
          for (const node of info.fieldNodes) {
            for (const sel of node.selectionSet?.selections ?? []) {
              if (sel.kind !== Kind.FIELD || sel.name.value !== 'rows') continue;
              const found = collectFields(sel, `${view.typeName}Row`, info, view);
              selection.dimensions.push(...found.dimensions.map((d) => ({ name: d.name, granularity: null })));
              selection.measures.push(...found.measures);
              selection.calcs.push(...found.calcs);
            }
          }
          const full = ctx.gateway.config;
          const security = Object.fromEntries(Object.keys(fusion.members).map((m) => [m, rowPolicy(ctx.access, full.streams[m]!.view, full)]));
          const { plan, key, shape } = planStreamFusion(full.streamFusions[fusion.name]!, args, selection, config.server, security);
          const subscriber = await ctx.gateway.streams.subscribeFusion(plan, key, shape.emit, shape.throttleMs);
          const payloads = joinPayloads(JSON.stringify([fusion.name, shape.rows.order, shape.rows.offset, shape.rows.limit, [...shape.calcs]]));
          const payloadOf = (state: WindowState) => payloads.payloadOf(state, () => ({ [fusion.name]: fusedPayload(state as FusedWindowState, shape, view.timezone) }));
          const route = ctx.subscriptionRoute;
          if (route) subscriber.setSink((state) => route.deliver(payloadOf(state)));
          return mapEvents(subscriber, payloadOf, { onEnd: payloads.leave });
        },
      },
    },
    [`${view.typeName}Row`]: { calc: resolveCalc },
  };
}

/** One fused window version as this shape shows it; times print as everywhere in the API. */
function fusedPayload(state: FusedWindowState, shape: SubscriptionShape, timezone: string) {
  return {
    start: formatInstant(state.start, timezone),
    end: formatInstant(state.end, timezone),
    final: state.final,
    revision: state.revision,
    rows: attachCalcs(windowRows(state, shape), shape.calcs),
    idle: state.idle,
    members: state.members.map((m) => ({ stream: m.stream, time: m.time === null ? null : formatInstant(m.time, timezone), idle: m.idle })),
  };
}
