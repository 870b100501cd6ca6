import { LRUCache } from 'lru-cache';
import type { DatasetConfig, ServerConfig } from '../schema/index.ts';
import { buildPlan, type QueryPlans } from './buildPlan.ts';
import { canonicalJson } from './canonicalJson.ts';
import { planBytes, stringBytes } from './planBytes.ts';
import type { DatasetRequest } from './DatasetRequest.ts';
import type { Filter } from './LogicalPlan.ts';

export interface PlanMemoOptions {
  /** Most requests remembered. */
  readonly max?: number;
  /** Most bytes remembered, keys and plans together, as estimated by `memoBytes`. */
  readonly maxBytes?: number;
}

/**
 * Remembers the plans of recent requests. Dashboards send the same few requests again and
 * again; a repeat then reuses the same frozen plan objects, whose keys are remembered too
 * (see planKey), instead of planning and hashing anew. The memo key is the request's
 * plain JSON: two spellings of one request may miss the memo, never share a wrong plan.
 * Requests that fail to plan are not remembered, so their errors repeat.
 *
 * Bounded in bytes as well as in count: one request with a 10,000-value `in` list of long
 * strings is a megabyte of key and several of plan, so a count alone bounds nothing.
 * A request heavier than maxBytes is planned every time and never remembered.
 */
export function createPlanMemo({ max = 1_000, maxBytes = 32 * 1024 ** 2 }: PlanMemoOptions = {}) {
  const memo = new LRUCache<string, QueryPlans>({ max, maxSize: maxBytes, sizeCalculation: (plans, key) => memoBytes(key, plans) });
  return (dataset: DatasetConfig, request: DatasetRequest, server: ServerConfig, security: readonly Filter[] = []): QueryPlans => {
    // Callers under different row policies plan the same request differently.
    const text = requestText(request);
    const key = security.length === 0 ? text : `${text}\u0000${canonicalJson(security)}`;
    let plans = memo.get(key);
    if (!plans) {
      plans = buildPlan(dataset, request, server, security);
      memo.set(key, plans); // lru-cache skips an entry larger than maxSize
    }
    return plans;
  };
}

/**
 * JSON of a request, remembered per frozen request object: the selection memo hands a
 * repeated request the same deep-frozen object. A request that is not frozen could change,
 * so it is printed every time.
 */
const texts = new WeakMap<DatasetRequest, string>();

function requestText(request: DatasetRequest): string {
  let text = texts.get(request);
  if (text === undefined) {
    text = JSON.stringify(request);
    if (Object.isFrozen(request)) texts.set(request, text);
  }
  return text;
}

/** What one memo entry keeps alive: its key and its plans (see planBytes). */
export function memoBytes(key: string, plans: QueryPlans): number {
  return stringBytes(key) + planBytes(plans);
}
