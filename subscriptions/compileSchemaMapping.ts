import { printJsonPointer, type StreamConfig, type StreamFieldMapping } from '../schema/index.ts';

/**
 * Puts the fields a stream reads where its event reader looks for them (at their own
 * names, top level) in a parsed event: null when done, else why the event is a bad message
 * (a required field missing, a schema version without a mapping).
 */
export type SchemaMapper = (o: Record<string, unknown>) => string | null;

/**
 * A stream's schema mapping (`fields:`, `version:`) as one function per event, or null for
 * a stream without one (its events are read as they come: no cost on that path).
 *
 * Per field: the value at `path`, else at the first alias that has one, else `default`;
 * a value is missing when absent or null. A field without a default that is missing makes
 * the event a bad message. All fields are read before any is written back, so a mapping
 * that moves `amount` to `/payload/amount` and another field's alias `amount` see the event
 * as produced. With `version:`, the version field's value (as text: 3 and "3" are alike)
 * picks the entries that replace the base ones; an event without it uses the base mapping,
 * and a version with no mapping is a bad message (its shape is unknown, so no field of it
 * can be trusted).
 */
export function compileSchemaMapping(stream: StreamConfig): SchemaMapper | null {
  const { fields, version } = stream.schemaMapping;
  if (Object.keys(fields).length === 0 && !version) return null;
  const base = Object.values(fields);
  if (!version) return (o) => applyFields(o, base, '', stream.name);
  const byVersion = new Map(Object.entries(version.mappings).map(([v, entries]) => [v, Object.values({ ...fields, ...entries })]));
  const known = [...byVersion.keys()].join(', ');
  const versionField = printJsonPointer(version.field);
  return (o) => {
    const v = valueAt(o, version.field);
    if (v === undefined || v === null) return applyFields(o, base, '', stream.name);
    if (typeof v !== 'string' && typeof v !== 'number') return `schema version field ${versionField} should be a string or a number, got ${JSON.stringify(v)}`;
    const entries = byVersion.get(String(v));
    if (!entries) return `schema version ${JSON.stringify(v)} (field ${versionField}) has no mapping; known versions: ${known}. Add version.mappings."${String(v)}" to the stream`;
    return applyFields(o, entries, ` (schema version ${String(v)})`, stream.name);
  };
}

/** Values read before any is written back; reused (decoding is synchronous), so an event allocates nothing here. */
const values: unknown[] = [];

function applyFields(o: Record<string, unknown>, entries: readonly StreamFieldMapping[], label: string, stream: string): string | null {
  values.length = 0;
  for (const f of entries) {
    let v = valueAt(o, f.path);
    for (let i = 0; (v === undefined || v === null) && i < f.aliases.length; i++) v = valueAt(o, f.aliases[i]!);
    if (v === undefined || v === null) {
      if (f.default === undefined) return missing(f, label, stream);
      v = f.default;
    }
    values.push(v);
  }
  for (let i = 0; i < entries.length; i++) {
    const { field } = entries[i]!;
    // A plain assignment to "__proto__" would set the prototype: define it as an own field.
    if (field === '__proto__') Object.defineProperty(o, field, { value: values[i], enumerable: true, writable: true, configurable: true });
    else o[field] = values[i];
  }
  return null;
}

function missing(f: StreamFieldMapping, label: string, stream: string): string {
  const places = [f.path, ...f.aliases].map(printJsonPointer).join(', ');
  return `required field "${f.field}" is missing${label}: no value at ${places} and no default (set streams.${stream}.fields.${f.field}.default, or an alias for its new name)`;
}

/**
 * The value at JSON pointer tokens (RFC 6901): own members of objects, and array elements
 * by decimal index; undefined when any step is missing.
 */
export function valueAt(o: unknown, tokens: readonly string[]): unknown {
  if (tokens.length === 1 && o !== null && typeof o === 'object' && !Array.isArray(o)) {
    const token = tokens[0]!;
    return Object.hasOwn(o, token) ? (o as Record<string, unknown>)[token] : undefined; // a top-level name: the common case
  }
  let current = o;
  for (const token of tokens) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      current = current[Number(token)];
    } else {
      if (!Object.hasOwn(current, token)) return undefined;
      current = (current as Record<string, unknown>)[token];
    }
  }
  return current;
}
