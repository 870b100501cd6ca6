/**
 * The statement sent to Trino for a compiled query: its SQL as the text of
 * `EXECUTE IMMEDIATE '...'` and its values as typed literals in the `USING` list, which
 * Trino binds to the `?` parameters (https://trino.io/docs/476/sql/execute-immediate.html).
 * The values never enter the SQL text; the SQL text is one string literal whose quotes are
 * doubled, and each value is one literal made by `trinoLiteral`, the only place that
 * renders a value for Trino.
 */
export function executeImmediate(sql: string, params: readonly unknown[]): string {
  const positional = toPositional(sql, params);
  const using = positional.values.length > 0 ? `\nusing ${positional.values.map(trinoLiteral).join(', ')}` : '';
  return `execute immediate ${quoteString(positional.sql)}${using}`;
}

/**
 * Rewrites the dialect's `$n` markers (1-based, possibly repeated) to Trino's positional
 * `?`, returning the values in the order the markers appear. Markers inside string
 * literals, quoted identifiers and comments (config SQL may hold `'$1'` or `"$path"`) are
 * left alone.
 */
export function toPositional(sql: string, params: readonly unknown[]): { readonly sql: string; readonly values: readonly unknown[] } {
  const values: unknown[] = [];
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const skipTo = c === "'" || c === '"' ? closingQuote(sql, i, c) : sql.startsWith('--', i) ? lineEnd(sql, i) : sql.startsWith('/*', i) ? blockEnd(sql, i) : -1;
    if (skipTo >= 0) {
      out += sql.slice(i, skipTo);
      i = skipTo;
      continue;
    }
    const marker = c === '$' ? /^\$(\d+)/.exec(sql.slice(i, i + 12)) : null;
    if (marker) {
      const index = Number(marker[1]);
      if (index < 1 || index > params.length) throw new Error(`toPositional: $${index} has no parameter (${params.length} given)`);
      values.push(params[index - 1]);
      out += '?';
      i += marker[0].length;
      continue;
    }
    out += c;
    i += 1;
  }
  return { sql: out, values };
}

/**
 * One value as a Trino literal of its JavaScript type: text as a varchar literal (quotes
 * doubled), integers as BIGINT, other numbers as DOUBLE, booleans, null, arrays as ARRAY[...].
 * The SQL around the `?` converts it to the type it is compared with (trinoDialect).
 */
export function trinoLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return `bigint '${value}'`;
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan()';
    if (!Number.isFinite(value)) return value > 0 ? 'infinity()' : '-infinity()';
    return Number.isSafeInteger(value) ? `bigint '${value}'` : `double '${value}'`;
  }
  if (value instanceof Date) return quoteString(value.toISOString());
  if (Array.isArray(value)) return `array[${value.map(trinoLiteral).join(', ')}]`;
  throw new TypeError(`trinoLiteral: cannot bind a ${typeof value} (${Object.prototype.toString.call(value)}) as a Trino parameter`);
}

function quoteString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Index just past the quote closing the one at `start` (a doubled quote is an escaped one). */
function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const next = sql.indexOf(quote, i);
    if (next < 0) return sql.length;
    if (sql[next + 1] === quote) i = next + 2;
    else return next + 1;
  }
}

function lineEnd(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end < 0 ? sql.length : end;
}

function blockEnd(sql: string, start: number): number {
  const end = sql.indexOf('*/', start + 2);
  return end < 0 ? sql.length : end + 2;
}
