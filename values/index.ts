/**
 * SQL value semantics in one place: the bottom layer whose definitions cache/derive,
 * subscriptions/window, the resolvers and the planner share instead of keeping their own
 * copies. It imports nothing from the rest of Tributary. How sums are added up and read
 * back, how an average of decimals is divided, how values and rows are ordered (NULLS
 * LAST, C collation), whether a comparison holds, and SQL's three-valued logic.
 */
export { compensatedTotal, cutSum, neumaierCompensation, readCompensatedSum } from './compensatedSum.ts';
export { decimalQuotient } from './decimalQuotient.ts';
export { roundSum } from './roundSum.ts';
export { compareNonNull, compareNullsLast, type SqlValue } from './compareValues.ts';
export { compareRowsBy, type RowOrderKey, type ValueRow } from './compareRowsBy.ts';
export { compareHolds, type CompareOp } from './compareHolds.ts';
export { and3, every3, FALSE, not3, or3, some3, TRUE, truthOf, UNKNOWN, type Truth } from './truth.ts';
