/**
 * How deeply a GraphQL document or a variables value nests, measured without recursion.
 * graphql-js parses, validates and coerces by recursion, so a document or JSON value nested
 * a few thousand levels deep overflows the stack ("Maximum call stack size exceeded");
 * these scans run first (server.limits.maxNesting), in time linear in the input and with
 * constant stack.
 */

/**
 * The deepest nesting of `{ } [ ] ( )` in a GraphQL document, outside strings, block
 * strings and comments. Unbalanced brackets are left to the parser to report.
 */
export function documentNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */ || c === 0x29 /* ) */) {
      if (depth > 0) depth--;
    } else if (c === 0x23 /* # */) {
      // A comment runs to the end of the line (spec: LineTerminator is \n or \r).
      while (i + 1 < n && text.charCodeAt(i + 1) !== 0x0a && text.charCodeAt(i + 1) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      i = text.startsWith('"""', i) ? endOfBlockString(text, i + 3) : endOfString(text, i + 1);
    }
  }
  return deepest;
}

/** Index of the closing `"""` (its last quote); `\"""` does not close. The end of text when unterminated. */
function endOfBlockString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text.charCodeAt(i) === 0x5c /* \ */ && text.startsWith('"""', i + 1)) i += 3;
    else if (text.startsWith('"""', i)) return i + 2;
  }
  return text.length;
}

/** Index of the closing `"`; a string ends at a line end when unterminated (the parser reports it). */
function endOfString(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 || c === 0x0a || c === 0x0d) return i;
  }
  return text.length;
}

/** The deepest nesting of objects and arrays in a JSON value: a scalar is 0, `{}` and `[]` are 1. */
export function valueNesting(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, above] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = above + 1;
    if (depth > deepest) deepest = depth;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth]);
    }
  }
  return deepest;
}
