/** GraphQL resolvers: selections → DatasetRequests → gateway → rows. */
import type { Config } from '../schema/index.ts';
import { adminResolvers } from './adminResolvers.ts';
import { datasetResolvers } from './datasetResolvers.ts';
import { datasetsInfo } from './datasetsInfo.ts';
import { answerFusion } from './fusion/answerFusion.ts';
import { progressiveResolvers } from './progressiveResolvers.ts';
import { streamFusionResolvers } from './streamFusionResolvers.ts';
import { streamResolvers } from './streamResolvers.ts';

export type { RequestContext, SubscriptionRoute } from './RequestContext.ts';
export { collectSelection } from './collectSelection.ts';
export { planFusion, type FusionMember, type FusionPlan } from './fusion/planFusion.ts';
export { PLAIN_READ_EXTENSION } from './plainReadExtension.ts';
export { tableToRows, type ResultRow } from './tableToRows.ts';

export function buildResolvers(config: Config): Record<string, Record<string, unknown>> {
  const info = datasetsInfo(config);
  const resolvers: Record<string, Record<string, unknown>> = { Query: { _datasets: () => info }, ...adminResolvers(config) };
  const add = (more: Record<string, Record<string, unknown>>) => {
    for (const [type, fields] of Object.entries(more)) resolvers[type] = { ...resolvers[type], ...fields };
  };
  for (const dataset of Object.values(config.datasets)) {
    add(datasetResolvers(dataset, config, (ctx, request, options) => ctx.gateway.answer(request, options), true));
    add(progressiveResolvers(dataset));
  }
  for (const stream of Object.values(config.streams)) add(streamResolvers(stream, config));
  for (const fusion of Object.values(config.streamFusions)) add(streamFusionResolvers(fusion, config));
  for (const fusion of Object.values(config.fusions)) {
    add(datasetResolvers(fusion.view, config, (ctx, request, options) => answerFusion(ctx.gateway, fusion, request, options)));
  }
  return resolvers;
}
