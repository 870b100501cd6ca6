import type { GraphQLResolveInfo } from 'graphql';
import type { DatasetConfig } from '../schema/index.ts';
import type { ProgressiveVersion } from '../server/gateway.ts';
import { answerFields } from './answerFields.ts';
import { answerOptions } from './answerOptions.ts';
import { collectSelection } from './collectSelection.ts';
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
          return eventsOf(versions, (version) => ({
            [dataset.name]: { progress: version.progress, final: version.final, slices: version.slices, ...answerFields(ctx, version, dataset) },
          }), (error) => ({ [dataset.name]: error instanceof Error ? error : new Error(String(error)) }));
        },
      },
    },
  };
}

/** The versions as events; a failure is one more event (`failed`), then the end. return() reaches the versions. */
function eventsOf(
  versions: AsyncIterableIterator<ProgressiveVersion>,
  event: (version: ProgressiveVersion) => object,
  failed: (error: unknown) => object,
): AsyncIterableIterator<object> {
  let done = false;
  const iterator: AsyncIterableIterator<object> = {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      return versions.next().then(
        (r): IteratorResult<object> => {
          if (r.done) {
            done = true;
            return { value: undefined, done: true };
          }
          return { value: event(r.value), done: false };
        },
        (error: unknown): IteratorResult<object> => {
          done = true;
          return { value: failed(error), done: false };
        },
      );
    },
    async return() {
      done = true;
      await versions.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
