import { Kind, type GraphQLResolveInfo } from 'graphql';
import { formatInstant, parseExpression, referencedNames, type Expression } from '../planner/index.ts';
import type { Config, StreamConfig } from '../schema/index.ts';
import { rowPolicy } from '../security/index.ts';
import { planSubscription, type SubscriptionArgs, type SubscriptionShape, type WindowState } from '../subscriptions/index.ts';
import { collectFields } from './collectSelection.ts';
import { attachCalcs, resolveCalc } from './calcRows.ts';
import type { RequestContext } from './RequestContext.ts';
import { answerOptions } from './answerOptions.ts';
import { LOOKUP_SCOPE, relationResolver } from './relationResolver.ts';
import { attachHistory, checkHistoryWindow, historyFieldResolver, historyRanges, streamCalcResolver, type HistoryRow } from './streamHistory.ts';
import { mapEvents } from './mapEvents.ts';
import { joinPayloads } from './sharedPayloads.ts';
import { windowRows } from './windowRows.ts';

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
 *
 * History fields (streamHistory.ts) are queried once per window version and range, the same
 * way: the selected history fields and the caller's policy on the history dataset are part
 * of the payload key. Calcs naming history fields are planned here, not by the operator's
 * plan (which knows only the stream's measures): the measures they name join the selection
 * and the parsed calcs join the shape's, so the row's `calc` finds them.
 */
export function streamResolvers(stream: StreamConfig, config: Config) {
  const view = stream.view;
  const relations = Object.values(view.relations);
  const historyNames = Object.keys(stream.history);
  const rowResolvers: Record<string, unknown> = { calc: historyNames.length > 0 ? streamCalcResolver(historyNames) : resolveCalc };
  for (const relation of relations) rowResolvers[relation.name] = relationResolver(view, relation, config);
  for (const name of historyNames) rowResolvers[name] = historyFieldResolver(name);
  return {
    Subscription: {
      [stream.name]: {
        subscribe: async (_: unknown, args: SubscriptionArgs, ctx: RequestContext, info: GraphQLResolveInfo) => {
          const selection = { dimensions: [] as { name: string; granularity: null }[], measures: [] as string[], calcs: [] as string[] };
          const historySelected = new Set<string>();
          const historyCalcs = new Map<string, Expression>();
          for (const node of info.fieldNodes) {
            for (const sel of node.selectionSet?.selections ?? []) {
              if (sel.kind !== Kind.FIELD || sel.name.value !== 'rows') continue;
              const found = collectFields(sel, `${view.typeName}Row`, info, view, historyNames);
              selection.dimensions.push(...found.dimensions.map((d) => ({ name: d.name, granularity: null })));
              selection.measures.push(...found.measures);
              for (const name of found.extras) historySelected.add(name);
              for (const text of found.calcs) {
                // Checked by collectFields; a calc naming history fields is kept from the operator's plan.
                const expr = parseExpression(text, { label: 'calc' });
                const names = referencedNames(expr);
                if (!names.some((n) => historyNames.includes(n))) {
                  selection.calcs.push(text);
                  continue;
                }
                historyCalcs.set(text, expr);
                for (const n of names) (historyNames.includes(n) ? historySelected.add(n) : selection.measures.push(n));
              }
            }
          }
          // Planned over the full stream: a row policy may read a dimension the role cannot select.
          const full = ctx.gateway.config.streams[stream.name]!.view;
          const security = rowPolicy(ctx.access, full, ctx.gateway.config);
          const planned = planSubscription(full, args, selection, config.server, Date.now(), security);
          const { plan, key } = planned;
          const shape: SubscriptionShape = historyCalcs.size === 0 ? planned.shape : { ...planned.shape, calcs: new Map([...planned.shape.calcs, ...historyCalcs]) };
          const history = [...historySelected].sort().map((name) => stream.history[name]!);
          if (history.length > 0) checkHistoryWindow(plan.window, stream, history.map((h) => h.name));
          const historyDataset = stream.landing && ctx.gateway.config.datasets[stream.landing.dataset];
          const historyPolicy = history.length > 0 && historyDataset ? rowPolicy(ctx.access, historyDataset, ctx.gateway.config) : null;
          const subscriber = await ctx.gateway.streams.subscribe(plan, key, shape.emit, shape.throttleMs);
          // Subscriptions of one operator and shape get the same payload object per window version.
          const targetPolicies = relations.map((r) => rowPolicy(ctx.access, ctx.gateway.config.datasets[r.dataset]!, ctx.gateway.config));
          const payloads = joinPayloads(
            JSON.stringify([stream.name, shape.rows.order, shape.rows.offset, shape.rows.limit, [...shape.calcs], targetPolicies, history.map((h) => h.name), historyPolicy]),
          );
          const ranges = historyRanges(history);
          const historyQuery =
            ranges.length === 0
              ? null
              : { ctx, options: answerOptions(ctx, { signal: undefined }), stream, config: ctx.gateway.config, ranges, groupBy: plan.groupBy, where: args.where ?? null };
          const payloadOf = (state: WindowState) => payloads.payloadOf(state, () => ({ [stream.name]: windowPayload(state, shape, view.timezone, relations.length > 0, historyQuery) }));
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
 * (ISO-8601 with the zone's offset); with relations, the rows share one lookup scope; with
 * history fields, the version's history queries start here (one per range).
 */
function windowPayload(state: WindowState, shape: SubscriptionShape, timezone: string, withRelations: boolean, history: Parameters<typeof attachHistory>[2] | null) {
  const limited = windowRows(state, shape);
  if (withRelations) {
    const scope = {};
    for (const row of limited) (row as { [LOOKUP_SCOPE]?: object })[LOOKUP_SCOPE] = scope;
  }
  if (history && limited.length > 0) attachHistory(limited as HistoryRow[], state, history);
  return {
    start: formatInstant(state.start, timezone),
    end: formatInstant(state.end, timezone),
    final: state.final,
    revision: state.revision,
    rows: attachCalcs(limited, shape.calcs),
  };
}
