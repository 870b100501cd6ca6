/**
 * Tributary's expression language: one AST, parsed once, checked against the names in
 * scope, then either compiled to PostgreSQL (measure pushdown) or to a JS evaluator
 * (`calc(expr:)` over result rows) with the same semantics.
 *
 *     const expr = parseExpression(text, { label: 'calc' });
 *     checkExpression(expr, { label: 'calc', known: measureNames, source: text });
 *     const evaluate = compileEvaluator(expr);
 */
export type {
  Binary,
  BinaryOperator,
  Call,
  Expression,
  AnalyticsFunctionName,
  FunctionName,
  Negate,
  NumberLiteral,
  Reference,
} from './Expression.ts';
export { ANALYTICS_FUNCTION_NAMES, binary, call, FUNCTION_NAMES, negate, numberLiteral, PREVIOUS_PREFIX, reference } from './Expression.ts';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH, parseExpression } from './parseExpression.ts';
export type { ParseExpressionOptions } from './parseExpression.ts';
export { referencedNames } from './referencedNames.ts';
export { analyticsReferences, hasAnalyticsReferences } from './analyticsReferences.ts';
export type { AnalyticsReferences } from './analyticsReferences.ts';
export { checkExpression } from './checkExpression.ts';
export type { CheckExpressionOptions } from './checkExpression.ts';
export { compileEvaluator } from './evaluateExpression.ts';
export type { Evaluator, Lookup } from './evaluateExpression.ts';
export { compileExpressionSql } from './compileExpressionSql.ts';
export type { ExpressionSqlOptions } from './compileExpressionSql.ts';
export { printExpression } from './printExpression.ts';
