/**
 * SQL value semantics in one place: the bottom layer whose definitions cache/derive,
 * subscriptions/window and the resolvers share instead of keeping their own copies. It
 * imports nothing from the rest of Tributary. So far: how sums are added up and read back,
 * and how an average of decimals is divided.
 */
export { compensatedTotal, cutSum, neumaierCompensation, readCompensatedSum } from './compensatedSum.ts';
export { decimalQuotient } from './decimalQuotient.ts';
export { roundSum } from './roundSum.ts';
