import { ConfigError } from '../errors/index.ts';
import type { DatasetConfig, MeasureConfig, StreamConfig, StreamHistoryField } from './Config.ts';
import type { RawConfig } from './configSchema.ts';
import { parseDuration } from './parseDuration.ts';

/**
 * A stream's `history:` fields, checked against what the stream lands: a field reads its
 * measure from `<stream>History` (so the stream needs `landing:`, and the measure must be
 * one the landing table can re-aggregate), its offset must move whole landing windows, and
 * its name is a new field of the stream's row type (no clash with the row's other fields).
 */
export function buildStreamHistory(
  at: string,
  raw: RawConfig['streams'][string]['history'],
  stream: { dimensions: Readonly<Record<string, unknown>>; measures: Readonly<Record<string, MeasureConfig>>; relations: Readonly<Record<string, unknown>> },
  landing: StreamConfig['landing'],
  history: DatasetConfig | null,
  errors: ConfigError[],
): Readonly<Record<string, StreamHistoryField>> {
  const fields: Record<string, StreamHistoryField> = {};
  for (const [name, spec] of Object.entries(raw)) {
    const path = `${at}.history.${name}`;
    if (!landing || !history) {
      errors.push(new ConfigError(path, 'history fields read the landed windows: add landing: { source, table, window } to the stream, or remove history:'));
      continue;
    }
    const clash = name === 'calc' ? 'the calc field' : stream.dimensions[name] ? 'a dimension' : stream.measures[name] ? 'a measure' : stream.relations[name] ? 'a relation' : null;
    if (clash) errors.push(new ConfigError(path, `"${name}" is also ${clash} of the stream's rows; rename the history field`));
    const measure = stream.measures[spec.measure];
    if (!measure) {
      errors.push(new ConfigError(`${path}.measure`, `unknown measure "${spec.measure}"; expected one of the stream's measures: ${Object.keys(stream.measures).join(', ') || '(none)'}`));
      continue;
    }
    if (!history.measures[spec.measure]) {
      const landed = Object.keys(history.measures).join(', ') || '(none)';
      errors.push(new ConfigError(`${path}.measure`, `${spec.measure} is ${measure.aggregation === 'avg' ? 'an avg' : 'a countDistinct'}, which ${history.name} does not re-aggregate (${measure.aggregation === 'avg' ? 'use history fields of its sum and count measures and divide them with calc' : 'distinct sets are not landed'}); expected one of ${landed}`));
      continue;
    }
    let offsetMs: number | null = null;
    if (spec.offset !== undefined) {
      offsetMs = parseDuration(spec.offset);
      if (offsetMs === null || offsetMs <= 0 || offsetMs % landing.windowMs !== 0) {
        errors.push(new ConfigError(`${path}.offset`, `expected a positive whole number of landing windows (landing.window is ${landing.windowMs} ms), such as 1d or 7d; got ${spec.offset}`));
        continue;
      }
    }
    fields[name] = Object.freeze({ name, measure: spec.measure, offsetMs, previousWindows: spec.previousWindows ?? null });
  }
  return Object.freeze(fields);
}
