/** GraphQL resolvers: selections → DatasetRequests → gateway → rows. */
import type { Config } from '../schema/index.ts';
import { adminResolvers } from './adminResolvers.ts';
import { datasetResolvers } from './datasetResolvers.ts';
import { datasetsInfo } from './datasetsInfo.ts';

export type { RequestContext } from './RequestContext.ts';
export { collectSelection } from './collectSelection.ts';
export { tableToRows, type ResultRow } from './tableToRows.ts';

export function buildResolvers(config: Config): Record<string, Record<string, unknown>> {
  const info = datasetsInfo(config);
  const resolvers: Record<string, Record<string, unknown>> = { Query: { _datasets: () => info }, ...adminResolvers(config) };
  for (const dataset of Object.values(config.datasets)) {
    for (const [type, fields] of Object.entries(datasetResolvers(dataset))) {
      resolvers[type] = { ...resolvers[type], ...fields };
    }
  }
  return resolvers;
}
