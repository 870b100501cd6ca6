import { assertNever, type CompareOp } from './LogicalPlan.ts';

/** Whether a comparison holds, given the sign of (value - operand): shared by every evaluator of filters. */
export function compareHolds(op: CompareOp, sign: number): boolean {
  switch (op) {
    case 'eq':
      return sign === 0;
    case 'ne':
      return sign !== 0;
    case 'gt':
      return sign > 0;
    case 'gte':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'lte':
      return sign <= 0;
    default:
      return assertNever(op);
  }
}
