import { LRUCache } from 'lru-cache';
import type { DatasetConfig, ServerConfig } from '../schema/index.ts';
import { buildPlan, type QueryPlans } from './buildPlan.ts';
import type { DatasetRequest } from './DatasetRequest.ts';

/**
 * Remembers the plans of recent requests. Dashboards send the same few requests again and
 * again; a repeat then reuses the same frozen plan objects, whose keys are remembered too
 * (see planKey), instead of planning and hashing anew. The memo key is the request's
 * plain JSON: two spellings of one request may miss the memo, never share a wrong plan.
 * Requests that fail to plan are not remembered, so their errors repeat.
 */
export function createPlanMemo(size = 1_000) {
  const memo = new LRUCache<string, QueryPlans>({ max: size });
  return (dataset: DatasetConfig, request: DatasetRequest, server: ServerConfig): QueryPlans => {
    const key = JSON.stringify(request);
    let plans = memo.get(key);
    if (!plans) {
      plans = buildPlan(dataset, request, server);
      memo.set(key, plans);
    }
    return plans;
  };
}
