import { badInput } from '../../errors/index.ts';
import type { TributaryError } from '../../errors/index.ts';

/**
 * A BAD_USER_INPUT error about an expression: the message starts with the caller's
 * label (`calc: ...`) and `extensions.position` is the 0-based offset it points at.
 */
export function expressionError(label: string, message: string, position: number): TributaryError {
  return badInput(`${label}: ${message}`, { position });
}

const EXCERPT_LENGTH = 60;

/**
 * The source quoted for a message. Sources longer than 60 characters are cut to a
 * window around `pos`, marked with `…`, so a 2,000-character expression does not end
 * up whole in an error message.
 */
export function quoteSource(source: string, pos: number): string {
  if (source.length <= EXCERPT_LENGTH) return JSON.stringify(source);
  const start = Math.max(0, Math.min(pos - EXCERPT_LENGTH / 2, source.length - EXCERPT_LENGTH));
  const end = start + EXCERPT_LENGTH;
  const head = start > 0 ? '…' : '';
  const tail = end < source.length ? '…' : '';
  return JSON.stringify(`${head}${source.slice(start, end)}${tail}`);
}
