import type { CompareOp, Scalar } from '../LogicalPlan.ts';

/** The values an integer column type can hold: [min, below). */
const RANGES = {
  int2: { min: -32768, below: 32768 },
  int4: { min: -2147483648, below: 2147483648 },
  // 2^63 - 1 is not a double; the largest double below 2^63 is in range.
  int8: { min: -(2 ** 63), below: 2 ** 63 },
} as const;

export type IntegerType = keyof typeof RANGES;

/**
 * A comparison of an integer column with a number, restated with an integer operand in the
 * column's range, so it binds as an integer parameter and the column is never cast. This is
 * the one place that decides what such a comparison means, and it means what it means
 * mathematically (as the float8 comparison compiled before, and as the cache's JavaScript
 * filter evaluates it): x < 2.5 is x < 3, x = 2.5 holds for no value, x > 1e30 for none.
 *
 * `never` and `always` keep SQL's null: they are true/false for every non-null value and
 * unknown for null, as the comparison they replace is (a constant would turn NOT x = 2.5
 * true for null rows). They compile as comparisons with the type's minimum.
 */
export type IntegerComparison =
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly value: bigint }
  | { readonly kind: 'never' }
  | { readonly kind: 'always' };

const NEVER = { kind: 'never' } as const;
const ALWAYS = { kind: 'always' } as const;

export function integerComparison(type: IntegerType, op: CompareOp, value: number): IntegerComparison {
  const { min, below } = RANGES[type];
  const compare = (o: CompareOp, k: number): IntegerComparison => ({ kind: 'compare', op: o, value: BigInt(k) });
  switch (op) {
    case 'lt': {
      const k = Math.ceil(value); // x < 2.5 ⇔ x < 3
      return k <= min ? NEVER : k >= below ? ALWAYS : compare('lt', k);
    }
    case 'lte': {
      const k = Math.floor(value); // x <= 2.5 ⇔ x <= 2
      return k < min ? NEVER : k >= below ? ALWAYS : compare('lte', k);
    }
    case 'gt': {
      const k = Math.floor(value); // x > 2.5 ⇔ x > 2
      return k < min ? ALWAYS : k >= below ? NEVER : compare('gt', k);
    }
    case 'gte': {
      const k = Math.ceil(value); // x >= 2.5 ⇔ x >= 3
      return k <= min ? ALWAYS : k >= below ? NEVER : compare('gte', k);
    }
    case 'eq':
      return isIntegerIn(type, value) ? compare('eq', value) : NEVER;
    case 'ne':
      return isIntegerIn(type, value) ? compare('ne', value) : ALWAYS;
  }
}

/** The members of an IN list an integer column can equal (others can never match). */
export function integerMembers(type: IntegerType, values: readonly Scalar[]): bigint[] {
  return values.filter((v): v is number => typeof v === 'number' && isIntegerIn(type, v)).map((v) => BigInt(v));
}

/** The comparison that is false for every value of the type and unknown for null (`always`: its negation). */
export function integerBoundary(type: IntegerType, kind: 'never' | 'always'): { readonly op: CompareOp; readonly value: bigint } {
  return { op: kind === 'never' ? 'lt' : 'gte', value: BigInt(RANGES[type].min) };
}

function isIntegerIn(type: IntegerType, value: number): boolean {
  return Number.isInteger(value) && value >= RANGES[type].min && value < RANGES[type].below;
}
