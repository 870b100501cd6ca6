import { randomUUID } from 'node:crypto';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { handleStreamOrSingleExecutionResult, isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Config } from '../../schema/index.ts';
import { toClientError } from './toClientError.ts';

interface WithRequestId {
  requestId?: string;
}

/**
 * Error hygiene for every response, over HTTP, SSE and graphql-ws alike: each error a client
 * gets carries `extensions.requestId`, and the log line for it carries the same id (see
 * toClientError for what is shown, what is masked and at which level it is logged).
 *
 * The id is made as early as the request allows (onParams over HTTP, onEnveloped for
 * graphql-ws operations) and put in the initial context, where createServer's context
 * factory takes it, so parse and validation errors have it too. Runs before Yoga's masking,
 * so it still sees each error's cause.
 */
export function useErrorHygiene(config: Config): Plugin {
  const clean = (errors: readonly GraphQLError[], context: unknown) => errors.map((e) => toClientError(e, requestIdOf(context), config));
  const cleanResult = (context: unknown) => ({ result, setResult }: { result: ExecutionResult; setResult: (r: ExecutionResult) => void }) => {
    if (result.errors?.length) setResult({ ...result, errors: clean(result.errors, context) });
  };
  const executeHooks: ExecuteHooks = {
    onExecuteDone: (payload) => {
      const { result } = payload;
      if (!isAsyncIterable(result) && !result.errors?.length) return;
      return handleStreamOrSingleExecutionResult(payload, cleanResult(payload.args.contextValue));
    },
  };
  return {
    onParams({ context }) {
      // Over HTTP this object becomes the initial context, so the id is there before parsing.
      if (context) (context as WithRequestId).requestId ??= randomUUID();
    },
    onEnveloped({ context, extendContext }) {
      if (context && !(context as WithRequestId).requestId) extendContext({ requestId: randomUUID() } as never);
    },
    onParse: ({ context }) => ({ result, replaceParseResult }) => {
      if (result instanceof GraphQLError) replaceParseResult(toClientError(result, requestIdOf(context), config));
    },
    onValidate: ({ context }) => ({ result, setResult }) => {
      if (result.length > 0) setResult(clean(result as readonly GraphQLError[], context));
    },
    onPluginInit({ registerContextErrorHandler }) {
      // The context factory failed (no execution follows): clean it the same way.
      registerContextErrorHandler(({ context, error, setError }) => {
        setError(toClientError(error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error), { originalError: error as Error }), requestIdOf(context), config));
      });
    },
    // One hooks object for every execution: the done payload carries the context, and a
    // result without errors (most of them) needs no cleaning closure.
    onExecute: () => executeHooks,
    onSubscribe: ({ args }) => ({
      onSubscribeResult: (payload) => {
        // A stream that throws would end the graphql-ws socket (code 4500, the driver's text
        // as the close reason) or reach SSE unlogged: it ends with an error result instead.
        if (isAsyncIterable(payload.result)) payload.setResult(endWithErrorResult(payload.result));
        return handleStreamOrSingleExecutionResult(payload, cleanResult(args.contextValue));
      },
    }),
  };
}

type ExecuteHooks = Exclude<Awaited<ReturnType<NonNullable<Plugin['onExecute']>>>, void | undefined>;

function requestIdOf(context: unknown): string {
  return (context as WithRequestId | undefined)?.requestId ?? 'unknown';
}

/**
 * Passes a stream's results through; if the stream throws, yields one result carrying the
 * error (cleaned by the onNext hook like any other) and ends. return() goes straight to the
 * source, so unsubscribing never waits for the next event.
 */
function endWithErrorResult(source: AsyncIterable<ExecutionResult>): AsyncIterableIterator<ExecutionResult> {
  const iterator = source[Symbol.asyncIterator]();
  let failed = false;
  return {
    async next() {
      if (failed) return { value: undefined, done: true };
      try {
        return await iterator.next();
      } catch (error) {
        failed = true;
        const located = error instanceof GraphQLError ? error : new GraphQLError(String((error as Error)?.message ?? error), { originalError: error as Error });
        return { value: { errors: [located] }, done: false };
      }
    },
    async return() {
      failed = true;
      await iterator.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
