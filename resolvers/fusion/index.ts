/** Fusion: joining the aggregated results of a fusion's members on their shared keys. */
export { hashJoin, type JoinKind } from './hashJoin.ts';
