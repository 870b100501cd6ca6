import type { GraphQLResolveInfo } from 'graphql';
import type { DatasetConfig } from '../schema/index.ts';
import type { ProgressiveVersion } from '../server/gateway.ts';
import { answerFields } from './answerFields.ts';
import { answerOptions } from './answerOptions.ts';
import { collectSelection } from './collectSelection.ts';
import { mapEvents } from './mapEvents.ts';
import type { RequestContext } from './RequestContext.ts';

/**
 * The Subscription field of a dataset: the query's progressive answer (server/progressive/),
 * one event per version. Bad arguments fail the subscribe call (a GraphQL error before any
 * event); a failure while slices run becomes the field's error on one last event, so the
 * transport ends the operation cleanly instead of dropping the connection.
 */
export function progressiveResolvers(dataset: DatasetConfig) {
  return {
    Subscription: {
      [dataset.name]: {
        subscribe: (_: unknown, args: Record<string, unknown>, ctx: RequestContext, info: GraphQLResolveInfo) => {
          const request = collectSelection(dataset, args, info);
          const cacheMode = (args.cache ?? 'DEFAULT') as 'DEFAULT' | 'BYPASS' | 'REFRESH';
          const versions = ctx.gateway.answerProgressively(request, answerOptions(ctx, { cacheMode }));
          return mapEvents<ProgressiveVersion, object>(versions, (version) => ({ [dataset.name]: { progress: version.progress, final: version.final, slices: version.slices, ...answerFields(ctx, version, dataset) } }), {
            onError: (error) => ({ [dataset.name]: error instanceof Error ? error : new Error(String(error)) }),
          });
        },
      },
    },
  };
}
