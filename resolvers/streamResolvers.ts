import { Kind, type GraphQLResolveInfo } from 'graphql';
import { formatInstant, type OrderKey } from '../planner/index.ts';
import type { Config, StreamConfig } from '../schema/index.ts';
import { rowPolicy } from '../security/index.ts';
import { planSubscription, type SubscriptionArgs, type SubscriptionShape, type WindowState } from '../subscriptions/index.ts';
import { collectFields } from './collectSelection.ts';
import { attachCalcs, resolveCalc } from './calcRows.ts';
import type { RequestContext } from './RequestContext.ts';
import { LOOKUP_SCOPE, relationResolver } from './relationResolver.ts';
import { mapEvents } from './mapEvents.ts';
import { joinPayloads } from './sharedPayloads.ts';
import type { ResultRow } from './tableToRows.ts';

/**
 * The Subscription field of a stream: plans the subscription (window, where, grouping and
 * measures from the selection), joins the shared window operator for that plan, and maps
 * each window version to this subscription's rows (its own order, limit and calcs).
 *
 * Relations on stream rows are looked up once per window version: each version's rows carry
 * one LOOKUP_SCOPE, so relationResolver batches them into one DataLoader (one cached query
 * per relation and selection). A version's payload is executed once for every subscription
 * that shares it (server/sharedExecution), with the context of one of them; a lookup depends
 * on the caller's row policy of the target dataset, so that policy is part of the payload
 * key: callers under different target policies get payloads (and lookups) of their own.
 */
export function streamResolvers(stream: StreamConfig, config: Config) {
  const view = stream.view;
  const relations = Object.values(view.relations);
  const rowResolvers: Record<string, unknown> = { calc: resolveCalc };
  for (const relation of relations) rowResolvers[relation.name] = relationResolver(view, relation, config);
  return {
    Subscription: {
      [stream.name]: {
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
          // Planned over the full stream: a row policy may read a dimension the role cannot select.
          const full = ctx.gateway.config.streams[stream.name]!.view;
          const security = rowPolicy(ctx.access, full, ctx.gateway.config);
          const { plan, key, shape } = planSubscription(full, args, selection, config.server, Date.now(), security);
          const subscriber = await ctx.gateway.streams.subscribe(plan, key, shape.emit, shape.throttleMs);
          // Subscriptions of one operator and shape get the same payload object per window version.
          const targetPolicies = relations.map((r) => rowPolicy(ctx.access, ctx.gateway.config.datasets[r.dataset]!, ctx.gateway.config));
          const payloads = joinPayloads(JSON.stringify([stream.name, shape.rows.order, shape.rows.offset, shape.rows.limit, [...shape.calcs], targetPolicies]));
          const payloadOf = (state: WindowState) => payloads.payloadOf(state, () => ({ [stream.name]: windowPayload(state, shape, view.timezone, relations.length > 0) }));
          // Over graphql-ws, versions go straight to the socket while this subscription's reader waits.
          const route = ctx.subscriptionRoute;
          if (route) subscriber.setSink((state) => route.deliver(payloadOf(state)));
          return mapEvents(subscriber, payloadOf, { onEnd: payloads.leave });
        },
      },
    },
    [`${view.typeName}Row`]: rowResolvers,
  };
}

/**
 * One window version as this shape shows it. Bounds print as query time buckets do
 * (ISO-8601 with the zone's offset); with relations, the rows share one lookup scope.
 */
function windowPayload(state: WindowState, shape: SubscriptionShape, timezone: string, withRelations: boolean) {
  const rows: ResultRow[] = state.rows.map((r) => ({ ...r.dims, ...r.measures }));
  rows.sort(compareBy(shape.rows.order));
  const limited = rows.slice(shape.rows.offset, shape.rows.limit === null ? undefined : shape.rows.offset + shape.rows.limit);
  if (withRelations) {
    const scope = {};
    for (const row of limited) (row as { [LOOKUP_SCOPE]?: object })[LOOKUP_SCOPE] = scope;
  }
  return {
    start: formatInstant(state.start, timezone),
    end: formatInstant(state.end, timezone),
    final: state.final,
    revision: state.revision,
    rows: attachCalcs(limited, shape.calcs),
  };
}

/** SQL-like order: each key ascending or descending, nulls last either way; strings by code point. */
function compareBy(order: readonly OrderKey[]) {
  return (a: ResultRow, b: ResultRow): number => {
    for (const o of order) {
      const x = a[o.field] ?? null;
      const y = b[o.field] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : 1;
      return o.direction === 'asc' ? c : -c;
    }
    return 0;
  };
}
