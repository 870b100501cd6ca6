import { createSourceEventStream, execute, getOperationAST, getVariableValues, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../../resolvers/index.ts';
import { DirectRoute } from './DirectRoute.ts';
import { markShared } from './serializedOnce.ts';
import type { SharedGroup, SharedResults } from './SharedResults.ts';

type MaybePromise<T> = T | Promise<T>;
type Subscribe = (args: ExecutionArgs) => MaybePromise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/**
 * A GraphQL subscribe that executes each source event once per (schema, document,
 * operation name, variables) however many subscriptions receive it: the subscription
 * field's resolver (a stream's `subscribe`) is called per subscription as usual, and hands
 * the same event object to every subscription that shares a window version; the
 * ExecutionResult for that event is then computed by the first of them and reused by the
 * others (SharedResults). Each subscription keeps its own source iterator, so its queue,
 * throttle and unsubscribe stay its own.
 *
 * Sound because the result of executing an event depends only on the schema (one per
 * role), the document, the operation name, the variables and the event: the resolvers
 * under a subscription field (window bounds, rows, calc) read their parent, never the
 * context. The caller's row policy is part of the stream operator's key, so callers under
 * different policies never receive the same event object. The one exception, relations on
 * stream rows, reads the context (the gateway, and the caller's access for the related
 * dataset's row policy): its payloads are keyed by the caller's policy on every related
 * dataset too (resolvers/streamResolvers.ts), so the context of whichever subscriber
 * executes an event gives the same lookups as any other's; and the lookup ignores that
 * subscriber's abort signal (resolvers/relationResolver.ts LOOKUP_SCOPE).
 *
 * A request refused before its field resolver runs (unknown operation, bad variables) is
 * left to `fallback` (the engine's own subscribe), so its errors stay the engine's.
 */
export function sharedSubscribe(results: SharedResults, fallback: Subscribe): Subscribe {
  return (args) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation || operation.operation !== 'subscription') return fallback(args);
    const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], (args.variableValues ?? {}) as Record<string, unknown>);
    if (coerced.errors) return fallback(args);
    const key = groupKey(args);
    return Promise.resolve(createSourceEventStream(args)).then((source) => {
      if (!isAsyncIterable(source)) return source;
      const group = results.join(key);
      const run = (event: unknown) => execute({ ...args, rootValue: event }) as MaybePromise<ExecutionResult>;
      // A graphql-ws operation's events may skip the iterator (DirectRoute): same group, same results.
      const route = (args.contextValue as RequestContext | undefined)?.subscriptionRoute;
      if (route instanceof DirectRoute) route.executeWith((event) => group.resultOf(event, () => run(event)));
      return mapEvents(source as AsyncIterable<unknown>, group, run, (args as { signal?: AbortSignal }).signal);
    });
  };
}

/** Everything besides the event that a subscription event's result depends on. */
function groupKey(args: ExecutionArgs): string {
  return [idOf(args.schema), documentKey(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {})].join('\u0000');
}

const ids = new WeakMap<GraphQLSchema | DocumentNode, string>();
let nextId = 0;
function idOf(o: GraphQLSchema | DocumentNode): string {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = `#${++nextId}`));
  return id;
}

/** A parsed document by its text (equal texts parse alike), else by identity. */
function documentKey(document: DocumentNode): string {
  return document.loc?.source.body ?? idOf(document);
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

/**
 * Maps each event to its shared result. return() (unsubscribe), the source ending or
 * failing, and `signal` aborting all end it, leave the group once and reach the source.
 */
function mapEvents(source: AsyncIterable<unknown>, group: SharedGroup, run: (event: unknown) => MaybePromise<ExecutionResult>, signal?: AbortSignal | null): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  const end = async () => {
    if (done) return;
    done = true;
    group.leave();
    signal?.removeEventListener('abort', onAbort);
    await iterator.return?.();
  };
  const onAbort = () => void end().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const finished = (): Promise<IteratorResult<ExecutionResult>> => end().then(() => ({ value: undefined, done: true }));
  const yielded = (value: ExecutionResult): IteratorResult<ExecutionResult> => {
    markShared(value);
    return { value, done: false };
  };
  // Promise chains, not async functions: this runs once per subscriber per window version.
  const mapped: AsyncIterableIterator<ExecutionResult> = {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      return iterator.next().then(
        (r) => {
          if (r.done || done) return finished();
          const event = r.value;
          if (typeof event !== 'object' || event === null) return Promise.resolve(run(event)).then((value) => ({ value, done: false }));
          const result = group.resultOf(event, () => run(event));
          return result instanceof Promise ? result.then(yielded) : yielded(result);
        },
        (error: unknown) =>
          end().then(() => {
            throw error;
          }),
      );
    },
    async return() {
      await end();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
