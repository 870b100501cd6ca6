/** The shared L2 cache in Redis: cores as Arrow IPC bytes, invalidation broadcasts, single flight across replicas. */
export { L2Cache, type L2Candidate, type L2Listener, type L2Observer, type L2View } from './L2Cache.ts';
export { L2Tier, type L2Ticket } from './L2Tier.ts';
export { datasetNamespace, keyField, l2Channel, l2Keys } from './l2Keys.ts';
export { tableFromBytes, tableToBytes } from './arrowBytes.ts';
export { acquireLock, releaseLock, runExclusive } from './RedisLock.ts';
export { RedisLink } from './RedisLink.ts';
