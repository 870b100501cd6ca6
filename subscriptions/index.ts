/** Kafka topics as event-time windowed GraphQL subscriptions. */
export { StreamHub, type StreamCounters } from './StreamHub.ts';
export { planSubscription, type StreamPlan, type SubscriptionArgs, type SubscriptionShape } from './StreamPlan.ts';
export { planStreamFusion, type StreamFusionPlan } from './fusion/StreamFusionPlan.ts';
export type { FusedWindowState, FusionMemberStatus } from './fusion/FusedOperator.ts';
export { createDecoder } from './decodeEvent.ts';
export { KafkaReplay, type LiveFeed } from './KafkaReplay.ts';
export { demoOrder } from './DemoFeed.ts';
export type { DeliveryOutcome, DirectSink, Subscriber } from './Subscriber.ts';
export * from './window/index.ts';
