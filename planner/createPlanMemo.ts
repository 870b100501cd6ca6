import { LRUCache } from 'lru-cache';
import type { DatasetConfig, ServerConfig } from '../schema/index.ts';
import { buildPlan, type QueryPlans } from './buildPlan.ts';
import { canonicalJson } from './canonicalJson.ts';
import type { DatasetRequest } from './DatasetRequest.ts';
import type { Filter } from './LogicalPlan.ts';

/**
 * Remembers the plans of recent requests. Dashboards send the same few requests again and
 * again; a repeat then reuses the same frozen plan objects, whose keys are remembered too
 * (see planKey), instead of planning and hashing anew. The memo key is the request's
 * plain JSON: two spellings of one request may miss the memo, never share a wrong plan.
 * Requests that fail to plan are not remembered, so their errors repeat.
 */
export function createPlanMemo(size = 1_000) {
  const memo = new LRUCache<string, QueryPlans>({ max: size });
  return (dataset: DatasetConfig, request: DatasetRequest, server: ServerConfig, security: readonly Filter[] = []): QueryPlans => {
    // Callers under different row policies plan the same request differently.
    const key = security.length === 0 ? JSON.stringify(request) : `${JSON.stringify(request)}\u0000${canonicalJson(security)}`;
    let plans = memo.get(key);
    if (!plans) {
      plans = buildPlan(dataset, request, server, security);
      memo.set(key, plans);
    }
    return plans;
  };
}
