import { ConfigError } from '../errors/index.ts';
import { referencedNames } from '../planner/expression/index.ts';
import type { DimensionConfig, MeasureConfig, StreamFieldMapping, StreamSchemaMapping } from './Config.ts';
import type { RawConfig } from './configSchema.ts';
import { parseFieldReference, parseJsonPointer } from './parseJsonPointer.ts';

type RawStream = RawConfig['streams'][string];
type RawFields = RawStream['fields'];
type DefaultValue = string | number | boolean | null;

/** Who reads an event field, and which default values fit it. */
interface FieldReader {
  readonly what: string;
  readonly accepts: (v: DefaultValue) => boolean;
  readonly expected: string;
}

/**
 * Validates a stream's `fields:` and `version:` (pointers, aliases, defaults against the
 * type of each field's readers) and returns the mapping as data. A mapping is keyed by the
 * field name the stream reads (a dimension's `field`, a name in a measure, the timestamp),
 * so a key nobody reads is a typo, reported with the names that are read.
 */
export function buildStreamFields(
  at: string,
  s: RawStream,
  dimensions: Readonly<Record<string, DimensionConfig>>,
  measures: Readonly<Record<string, MeasureConfig>>,
  errors: ConfigError[],
): StreamSchemaMapping {
  const readers = fieldReaders(s.timestamp, dimensions, measures);
  const fields = buildFields(`${at}.fields`, s.fields, readers, errors);
  if (!s.version) return Object.freeze({ fields, version: null });
  const field = parseFieldReference(s.version.field);
  if (typeof field === 'string') errors.push(new ConfigError(`${at}.version.field`, `${field}; or give the top-level field name, such as schemaVersion`));
  const mappings = Object.fromEntries(
    Object.entries(s.version.mappings).map(([version, raw]) => [version, buildFields(`${at}.version.mappings.${version}`, raw, readers, errors)]),
  );
  return Object.freeze({ fields, version: Object.freeze({ field: typeof field === 'string' ? [] : field, mappings: Object.freeze(mappings) }) });
}

function buildFields(at: string, raw: RawFields, readers: ReadonlyMap<string, readonly FieldReader[]>, errors: ConfigError[]): Readonly<Record<string, StreamFieldMapping>> {
  const out: Record<string, StreamFieldMapping> = {};
  for (const [field, spec] of Object.entries(raw)) {
    const here = `${at}.${field}`;
    const fieldReaders = readers.get(field);
    if (!fieldReaders) {
      const read = [...readers.keys()].sort().join(', ') || 'no field';
      errors.push(new ConfigError(here, `no dimension, measure or timestamp reads field "${field}"; the stream reads ${read}. A mapping is keyed by the name the stream reads, not the event's name for it (that one goes in path: or aliases:)`));
      continue;
    }
    const path = spec.path === undefined ? Object.freeze([field]) : parseJsonPointer(spec.path);
    if (typeof path === 'string') errors.push(new ConfigError(`${here}.path`, path));
    const aliases = (spec.aliases ?? []).map((alias, i) => {
      const tokens = parseFieldReference(alias);
      if (typeof tokens === 'string') errors.push(new ConfigError(`${here}.aliases.${i}`, `${tokens}; or give a plain field name, such as total`));
      return typeof tokens === 'string' ? [] : tokens;
    });
    if (spec.default !== undefined) {
      // One line per expected type, naming every reader that expects it.
      const refusing = new Map<string, string[]>();
      for (const r of fieldReaders) if (!r.accepts(spec.default)) refusing.set(r.expected, [...(refusing.get(r.expected) ?? []), r.what]);
      for (const [expected, whats] of refusing) {
        const verb = whats.length === 1 ? 'reads' : 'read';
        errors.push(new ConfigError(`${here}.default`, `${whats.join(' and ')} ${verb} field "${field}" as ${expected}; got ${JSON.stringify(spec.default)}. Use ${expected}, or remove default: to make the field required`));
      }
    }
    out[field] = Object.freeze({
      field,
      path: typeof path === 'string' ? [field] : path,
      aliases: Object.freeze(aliases.filter((a) => a.length > 0)),
      ...(spec.default !== undefined ? { default: spec.default } : {}),
    });
  }
  return Object.freeze(out);
}

/** Every event field the stream reads, with its readers (a field may feed a dimension and a measure). */
function fieldReaders(
  timestamp: string,
  dimensions: Readonly<Record<string, DimensionConfig>>,
  measures: Readonly<Record<string, MeasureConfig>>,
): ReadonlyMap<string, readonly FieldReader[]> {
  const readers = new Map<string, FieldReader[]>();
  const add = (field: string, reader: FieldReader) => readers.set(field, [...(readers.get(field) ?? []), reader]);
  if (timestamp !== '$kafka') {
    add(timestamp, { what: 'timestamp', expected: 'an epoch-ms number or an ISO-8601 string', accepts: (v) => typeof v === 'number' || typeof v === 'string' });
  }
  for (const d of Object.values(dimensions)) {
    add(d.column, { what: `dimension ${d.name}`, expected: `a ${d.type} or null`, accepts: (v) => v === null || typeof v === d.type });
  }
  for (const m of Object.values(measures)) {
    if (!m.expr) continue; // count(*) reads no field
    const distinct = m.aggregation === 'countDistinct' && m.expr.kind === 'ref';
    for (const name of referencedNames(m.expr)) {
      add(name, distinct
        ? { what: `measure ${m.name}`, expected: 'a string, a number or null', accepts: (v) => v === null || typeof v === 'string' || typeof v === 'number' }
        : { what: `measure ${m.name}`, expected: 'a number or null', accepts: (v) => v === null || typeof v === 'number' });
    }
  }
  return readers;
}
