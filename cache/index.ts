/** The plan-keyed result cache of Arrow tables, and derivation of answers from it. */
export { planOfCore } from './planOfCore.ts';
export { PlanCache } from './PlanCache.ts';
export type { CacheMode, CacheOutcome, CachedAnswer, CacheDecision, FetchOptions, SourceAccess } from './CacheContract.ts';
export { RefreshKeyWatcher } from './RefreshKeyWatcher.ts';
export { L2Cache, type L2Observer } from './l2/index.ts';
export { decidePushdown, type PushdownDecision } from './limitPushdown.ts';
export { tableBytes, type CacheEntry } from './CacheEntry.ts';
export { ByteDictionary, canDerive, deriveTable, initialMask, mergePartials } from './derive/index.ts';
