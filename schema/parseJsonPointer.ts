/**
 * The reference tokens of a JSON pointer (RFC 6901, section 3): "/payload/amount" is
 * ["payload", "amount"]; "~1" stands for "/" and "~0" for "~" (decoded in that order,
 * section 4). The whole document ("") points at no field, so it is refused here. Returns
 * the tokens, or what is wrong with the text.
 */
export function parseJsonPointer(text: string): readonly string[] | string {
  if (!text.startsWith('/')) return `${JSON.stringify(text)} is not a JSON pointer: it must start with "/" (such as /payload/amount)`;
  if (/~(?![01])/.test(text)) return `${JSON.stringify(text)} is not a JSON pointer: "~" must be followed by 0 (for ~) or 1 (for /)`;
  return Object.freeze(text.slice(1).split('/').map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~')));
}

/** A field name, or a JSON pointer when it starts with "/": the tokens, or what is wrong. */
export function parseFieldReference(text: string): readonly string[] | string {
  return text.startsWith('/') ? parseJsonPointer(text) : Object.freeze([text]);
}

/** The pointer text of tokens (the inverse of parseJsonPointer). */
export function printJsonPointer(tokens: readonly string[]): string {
  return tokens.map((t) => `/${t.replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
