import type { FunctionName } from './Expression.ts';
import { expressionError } from './expressionError.ts';

/** Argument counts: [min, max]. */
const ARITY: Readonly<Record<FunctionName, readonly [number, number]>> = {
  abs: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  round: [1, 2],
  nullif: [2, 2],
  coalesce: [1, Infinity],
  min: [2, Infinity],
  max: [2, Infinity],
  total: [1, 1],
  parent: [2, Infinity],
};

/**
 * Throws BAD_USER_INPUT unless `fn` accepts `count` arguments: abs, floor, ceil take 1;
 * round 1 or 2 (value, digits); nullif 2; coalesce at least 1; min and max at least 2;
 * total 1 (a measure); parent at least 2 (a measure and dimensions).
 */
export function checkArity(fn: FunctionName, count: number, pos: number, label: string): void {
  const [min, max] = ARITY[fn];
  if (count >= min && count <= max) return;
  const plural = (n: number): string => (n === 1 ? 'argument' : 'arguments');
  const wanted =
    min === max ? `${min} ${plural(min)}` : max === Infinity ? `at least ${min} ${plural(min)}` : `${min} or ${max} arguments`;
  throw expressionError(label, `${fn} expects ${wanted} but got ${count} at column ${pos + 1}`, pos);
}
