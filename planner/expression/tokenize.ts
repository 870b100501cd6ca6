import { expressionError, quoteSource } from './expressionError.ts';

export type Punctuation = '+' | '-' | '*' | '/' | '(' | ')' | ',';

/** One token; `pos` is its 0-based offset. The last token is always `end`. */
export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly pos: number }
  | { readonly kind: 'name'; readonly text: string; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: Punctuation; readonly pos: number }
  | { readonly kind: 'end'; readonly text: ''; readonly pos: number };

// `123`, `1.5`, `1.`, `.5`, `1e3`, `2.5E-2`. Sticky so each match starts exactly at `pos`.
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
// Dotted names (`previous.revenue`) are one token: calc's references to the compared period.
const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
// A number must not run straight into a name character or another dot: `2x`, `1e`, `1.2.3`.
const NUMBER_RUN = /[A-Za-z0-9_.]+/y;
const PUNCTUATION = new Set<string>(['+', '-', '*', '/', '(', ')', ',']);

function isPunctuation(char: string): char is Punctuation {
  return PUNCTUATION.has(char);
}

/**
 * Splits `text` into tokens, skipping whitespace. Throws BAD_USER_INPUT (prefixed with
 * `label`) for a character outside the language, a malformed number, or a number that
 * does not fit a float64.
 */
export function tokenize(text: string, label: string): readonly Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const char = text[pos] ?? '';
    if (/\s/.test(char)) {
      pos += 1;
    } else if (isPunctuation(char)) {
      tokens.push({ kind: 'punct', text: char, pos });
      pos += 1;
    } else if (/[0-9.]/.test(char)) {
      const number = readNumber(text, pos, label);
      tokens.push(number);
      pos += number.text.length;
    } else {
      NAME.lastIndex = pos;
      const name = NAME.exec(text)?.[0];
      if (name === undefined) {
        const shown = String.fromCodePoint(text.codePointAt(pos) ?? 0);
        throw expressionError(
          label,
          `unexpected character ${JSON.stringify(shown)} at column ${pos + 1} in ${quoteSource(text, pos)}`,
          pos,
        );
      }
      tokens.push({ kind: 'name', text: name, pos });
      pos += name.length;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: text.length });
  return tokens;
}

function readNumber(text: string, pos: number, label: string): Token & { kind: 'number' } {
  NUMBER.lastIndex = pos;
  const match = NUMBER.exec(text)?.[0];
  const next = match === undefined ? undefined : text[pos + match.length];
  if (match === undefined || (next !== undefined && /[A-Za-z0-9_.]/.test(next))) {
    NUMBER_RUN.lastIndex = pos;
    const run = NUMBER_RUN.exec(text)?.[0] ?? text.slice(pos, pos + 1);
    if (run === '.') {
      throw expressionError(label, `unexpected "." at column ${pos + 1} in ${quoteSource(text, pos)}`, pos);
    }
    throw expressionError(label, `malformed number ${JSON.stringify(run)} at column ${pos + 1}`, pos);
  }
  const value = Number(match);
  if (!Number.isFinite(value)) {
    throw expressionError(label, `number ${match} at column ${pos + 1} is too large`, pos);
  }
  return { kind: 'number', value, text: match, pos };
}
