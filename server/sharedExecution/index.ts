/** One execution and one serialization per subscription event, shared by every subscription that would compute it. */
export { SharedResults } from './SharedResults.ts';
export { useSharedSubscriptions, subscriptionResults } from './useSharedSubscriptions.ts';
export { framePayload, sharedSerializations, spliceFrame } from './serializedOnce.ts';
export { DirectRoute, MAX_BUFFERED_BYTES } from './DirectRoute.ts';
