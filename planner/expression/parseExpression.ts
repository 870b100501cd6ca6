import { limitExceeded } from '../../errors/index.ts';
import { ANALYTICS_FUNCTION_NAMES, binary, call, FUNCTION_NAMES, negate, numberLiteral, reference } from './Expression.ts';
import type { BinaryOperator, Expression, FunctionName } from './Expression.ts';
import { expressionError, quoteSource } from './expressionError.ts';
import { checkArity } from './checkArity.ts';
import { tokenize } from './tokenize.ts';
import type { Token } from './tokenize.ts';

export const MAX_EXPRESSION_LENGTH = 2000;
export const MAX_EXPRESSION_DEPTH = 64;

export interface ParseExpressionOptions {
  /** Prefix of every error message, naming where the expression came from. Default `expression`. */
  readonly label?: string;
  /**
   * A `calc` on dataset rows: `total(m)`, `parent(m, d1, ...)` and `previous.m` are allowed
   * (docs/DESIGN.md "Analytics"). Elsewhere (config measures, streams, totals) they are
   * BAD_USER_INPUT saying so. Default false.
   */
  readonly analytics?: boolean;
}

/**
 * Parses `text` into a frozen `Expression`.
 *
 * Grammar (left associative; unary minus binds tighter than `*` `/`, which bind tighter
 * than `+` `-`):
 *
 *     sum     = product (("+" | "-") product)*
 *     product = unary (("*" | "/") unary)*
 *     unary   = "-" unary | primary
 *     primary = number | name | function "(" [sum ("," sum)*] ")" | "(" sum ")"
 *
 * A name followed by `(` is a function, matched case-insensitively; any other name is a
 * reference (case-sensitive). With `analytics`, a dotted name (`previous.revenue`) is one
 * reference, and `total(name)` / `parent(name, name, ...)` are calls whose arguments are
 * plain names. Errors are BAD_USER_INPUT with the 1-based column in the
 * message and the 0-based offset in `extensions.position`. Sources over 2,000 characters,
 * and nesting over 64 levels (each parenthesis, call and unary minus is one level), are
 * LIMIT_EXCEEDED, so hostile input cannot overflow the stack.
 */
export function parseExpression(text: string, options: ParseExpressionOptions = {}): Expression {
  const label = options.label ?? 'expression';
  const analytics = options.analytics === true;
  if (text.length > MAX_EXPRESSION_LENGTH) {
    throw limitExceeded(
      `${label}: the expression is ${text.length} characters long; the maximum is ${MAX_EXPRESSION_LENGTH}`,
      { position: MAX_EXPRESSION_LENGTH },
    );
  }
  const tokens = tokenize(text, label);
  let index = 0;
  const peek = (): Token => tokens[index] ?? tokens[tokens.length - 1]!;
  const advance = (): Token => {
    const token = peek();
    if (token.kind !== 'end') index += 1;
    return token;
  };
  const isPunct = (punct: string): boolean => peek().kind === 'punct' && peek().text === punct;

  const unexpected = (token: Token, expected: string): never => {
    if (token.kind === 'end') {
      throw expressionError(label, `expected ${expected} at column ${token.pos + 1} but the expression ended`, token.pos);
    }
    const shown = JSON.stringify(token.text);
    throw expressionError(label, `unexpected ${shown} at column ${token.pos + 1} in ${quoteSource(text, token.pos)}`, token.pos);
  };
  const enter = (depth: number, pos: number): number => {
    if (depth >= MAX_EXPRESSION_DEPTH) {
      throw limitExceeded(
        `${label}: the expression nests deeper than ${MAX_EXPRESSION_DEPTH} levels at column ${pos + 1}`,
        { position: pos },
      );
    }
    return depth + 1;
  };
  const expect = (punct: ')'): void => {
    if (!isPunct(punct)) unexpected(peek(), JSON.stringify(punct));
    advance();
  };

  const parseSum = (depth: number): Expression => {
    let left = parseProduct(depth);
    while (isPunct('+') || isPunct('-')) {
      const op = advance();
      left = binary(op.text as BinaryOperator, left, parseProduct(depth), op.pos);
    }
    return left;
  };
  const parseProduct = (depth: number): Expression => {
    let left = parseUnary(depth);
    while (isPunct('*') || isPunct('/')) {
      const op = advance();
      left = binary(op.text as BinaryOperator, left, parseUnary(depth), op.pos);
    }
    return left;
  };
  const parseUnary = (depth: number): Expression => {
    if (!isPunct('-')) return parsePrimary(depth);
    const minus = advance();
    return negate(parseUnary(enter(depth, minus.pos)), minus.pos);
  };
  const parsePrimary = (depth: number): Expression => {
    const token = advance();
    if (token.kind === 'number') return numberLiteral(token.value, token.pos);
    if (token.kind === 'name') {
      if (!isPunct('(')) {
        if (!analytics && token.text.includes('.')) {
          throw expressionError(
            label,
            `unexpected dotted name ${JSON.stringify(token.text)} at column ${token.pos + 1}; previous.<measure> is available only in calc(expr:) on dataset rows`,
            token.pos,
          );
        }
        return reference(token.text, token.pos);
      }
      return parseCall(token, enter(depth, token.pos));
    }
    if (token.kind === 'punct' && token.text === '(') {
      const inner = parseSum(enter(depth, token.pos));
      expect(')');
      return inner;
    }
    return unexpected(token, 'an operand');
  };
  const parseCall = (name: Token, depth: number): Expression => {
    const lower = name.text.toLowerCase();
    const calcOnly = ANALYTICS_FUNCTION_NAMES.find((known) => known === lower);
    if (calcOnly !== undefined && !analytics) {
      throw expressionError(label, `${calcOnly}() at column ${name.pos + 1} is available only in calc(expr:) on dataset rows`, name.pos);
    }
    const known: readonly FunctionName[] = analytics ? [...FUNCTION_NAMES, ...ANALYTICS_FUNCTION_NAMES] : FUNCTION_NAMES;
    const fn = known.find((k) => k === lower);
    if (fn === undefined) {
      throw expressionError(
        label,
        `unknown function ${JSON.stringify(name.text)} at column ${name.pos + 1}; known: ${known.join(', ')}`,
        name.pos,
      );
    }
    advance(); // the "("
    const args: Expression[] = [];
    if (isPunct(')')) advance();
    else {
      for (;;) {
        args.push(parseSum(depth));
        if (isPunct(')')) break;
        if (!isPunct(',')) unexpected(peek(), '"," or ")"');
        advance();
      }
      advance();
    }
    checkArity(fn, args.length, name.pos, label);
    if (fn === 'total' || fn === 'parent') {
      // Their arguments name a measure and dimensions: values over other rows, not expressions of this one.
      const bad = args.find((arg) => arg.kind !== 'ref' || arg.name.includes('.'));
      if (bad !== undefined) {
        const usage = fn === 'total' ? 'a measure name, such as total(revenue)' : 'a measure name and dimension names, such as parent(revenue, region)';
        throw expressionError(label, `${fn} expects ${usage}; got an expression at column ${bad.pos + 1} in ${quoteSource(text, bad.pos)}`, bad.pos);
      }
    }
    return call(fn, args, name.pos);
  };

  const result = parseSum(0);
  if (peek().kind !== 'end') unexpected(peek(), 'an operator');
  return result;
}
