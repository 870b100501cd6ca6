/** A comparison operator of a filter: =, <>, >, >=, <, <=. */
export type CompareOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte';

/**
 * Whether `value op operand` holds, given the sign of the comparison of value with operand
 * (as compareNonNull returns it, or value - operand for numbers). Both sides must be
 * non-null: a comparison with NULL is unknown, which the caller decides before (see truth.ts).
 */
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
    default: {
      const unexpected: never = op;
      throw new Error(`compareHolds: expected one of eq, ne, gt, gte, lt, lte, got ${JSON.stringify(unexpected)}`);
    }
  }
}
