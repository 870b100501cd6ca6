/** One execution and one serialization per subscription event, shared by every subscription that would compute it. */
export { SharedResults } from './SharedResults.ts';
export { useSharedSubscriptions, subscriptionResults } from './useSharedSubscriptions.ts';
export { framePayload, spliceFrame } from './serializedOnce.ts';
export { DirectRoute } from './DirectRoute.ts';
