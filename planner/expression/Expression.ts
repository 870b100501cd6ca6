/**
 * The AST of Tributary's expression language, shared by config measure expressions
 * (pushed down as SQL) and `calc(expr:)` (evaluated over result rows).
 *
 * Invariants: every node is frozen plain data tagged by `kind`; `pos` is the 0-based
 * character offset in the source text of the token that names the node (a literal or
 * name itself, the `-` of a negation, the operator of a binary node, the function name
 * of a call). Function names are stored lower-case. `pos` is for error messages only:
 * two expressions that differ only in `pos` mean the same thing.
 */
export type Expression = NumberLiteral | Reference | Negate | Binary | Call;

export interface NumberLiteral {
  readonly kind: 'number';
  /** Always finite and non-negative: a leading minus is a `Negate` node. */
  readonly value: number;
  readonly pos: number;
}

export interface Reference {
  readonly kind: 'ref';
  readonly name: string;
  readonly pos: number;
}

export interface Negate {
  readonly kind: 'negate';
  readonly operand: Expression;
  readonly pos: number;
}

export type BinaryOperator = '+' | '-' | '*' | '/';

export interface Binary {
  readonly kind: 'binary';
  readonly op: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly pos: number;
}

export type FunctionName = ScalarFunctionName | AnalyticsFunctionName;
export type ScalarFunctionName = 'abs' | 'round' | 'floor' | 'ceil' | 'coalesce' | 'nullif' | 'min' | 'max';
/**
 * calc only (docs/DESIGN.md "Analytics"): `total(m)` and `parent(m, d1, ...)` read values the
 * gateway computes over the answer (row keys totalKey / parentKey), so they never reach SQL.
 * Their arguments are names: a measure, then (parent) dimensions.
 */
export type AnalyticsFunctionName = 'total' | 'parent';

/** Every scalar function, in the order error messages list them. */
export const FUNCTION_NAMES: readonly ScalarFunctionName[] = Object.freeze([
  'abs',
  'round',
  'floor',
  'ceil',
  'coalesce',
  'nullif',
  'min',
  'max',
]);

/** The calc-only functions, in the order error messages list them. */
export const ANALYTICS_FUNCTION_NAMES: readonly AnalyticsFunctionName[] = Object.freeze(['total', 'parent']);

/** The prefix of calc's references to the compared period's measures: `previous.revenue`. */
export const PREVIOUS_PREFIX = 'previous.';

export interface Call {
  readonly kind: 'call';
  readonly fn: FunctionName;
  readonly args: readonly Expression[];
  readonly pos: number;
}

export function numberLiteral(value: number, pos: number): NumberLiteral {
  return Object.freeze({ kind: 'number', value, pos });
}

export function reference(name: string, pos: number): Reference {
  return Object.freeze({ kind: 'ref', name, pos });
}

export function negate(operand: Expression, pos: number): Negate {
  return Object.freeze({ kind: 'negate', operand, pos });
}

export function binary(op: BinaryOperator, left: Expression, right: Expression, pos: number): Binary {
  return Object.freeze({ kind: 'binary', op, left, right, pos });
}

export function call(fn: FunctionName, args: readonly Expression[], pos: number): Call {
  return Object.freeze({ kind: 'call', fn, args: Object.freeze([...args]), pos });
}
