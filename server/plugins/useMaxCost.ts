import type { Plugin } from 'graphql-yoga';
import { limitExceeded } from '../../errors/index.ts';
import { createDocumentCostMemo } from './documentCostMemo.ts';

/**
 * Refuses an operation whose cost (documentCost: rows it may read) is over `maxCost`.
 * The cost depends on variables (`limit: $n`), so it is checked in onExecute, once variables
 * are known and before any resolver, hence before any source query. Every query runs
 * through execute, over HTTP, SSE and graphql-ws alike; subscriptions read no datasets.
 */
export function useMaxCost(maxCost: number, defaultLimit: number): Plugin {
  const documentCost = createDocumentCostMemo();
  return {
    onExecute: ({ args, setResultAndStopExecution }) => {
      const cost = documentCost(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown> | null | undefined, defaultLimit);
      if (cost <= maxCost) return;
      const message = `maxCost: cost ${cost}, the limit is ${maxCost} (a dataset field costs its row limit; a relation, its parent's row limit again)`;
      setResultAndStopExecution({ errors: [limitExceeded(message, { limit: 'maxCost', max: maxCost, found: cost })] });
    },
  };
}
