import { ConfigError } from '../errors/index.ts';
import type { DatasetConfig, DimensionConfig, FusionConfig, MeasureConfig, StreamConfig, StreamFusionConfig } from './Config.ts';
import type { RawConfig } from './configSchema.ts';
import { parseDuration } from './parseDuration.ts';
import { pascalCase } from './pascalCase.ts';
import { sourcelessView } from './sourcelessView.ts';

/**
 * Validates `streamFusions:` and builds, for each, a `view`: the fusion seen as one dataset
 * whose dimensions are the keys and whose measures are the member streams' measures, so a
 * subscription to it is planned like a stream's. Every member is a stream, maps every key to
 * a dimension of the key's type, and brings measures of names no other member uses; the
 * members print window bounds in one time zone.
 */
export function buildStreamFusions(
  raw: RawConfig['streamFusions'],
  streams: Readonly<Record<string, StreamConfig>>,
  taken: { readonly datasets: Readonly<Record<string, DatasetConfig>>; readonly fusions: Readonly<Record<string, FusionConfig>> },
  typeNames: Map<string, string>,
  errors: ConfigError[],
): Readonly<Record<string, StreamFusionConfig>> {
  const fusions: Record<string, StreamFusionConfig> = {};
  for (const [name, f] of Object.entries(raw)) {
    const at = `streamFusions.${name}`;
    if (streams[name] || taken.datasets[name] || taken.fusions[name]) errors.push(new ConfigError(at, `"${name}" is also a dataset, fusion or stream; names must be unique`));
    const typeName = pascalCase(name);
    if (typeNames.has(typeName)) errors.push(new ConfigError(at, `its GraphQL type name ${typeName} is also used by "${typeNames.get(typeName)}"; rename one`));
    typeNames.set(typeName, name);
    const dimensions: Record<string, DimensionConfig> = {};
    for (const [key, type] of Object.entries(f.keys)) dimensions[key] = Object.freeze({ name: key, type, column: key, granularity: 'day' });
    const measures: Record<string, MeasureConfig> = {};
    const measureMember: Record<string, string> = {};
    let timezone: { member: string; zone: string } | null = null;
    for (const [member, mapping] of Object.entries(f.members)) {
      const mAt = `${at}.members.${member}`;
      const stream = streams[member];
      if (!stream) {
        errors.push(new ConfigError(mAt, `unknown stream "${member}"; defined streams: ${Object.keys(streams).join(', ') || 'none'}`));
        continue;
      }
      for (const [key, type] of Object.entries(f.keys)) {
        const dim = stream.dimensions[mapping[key] ?? ''];
        if (!mapping[key]) errors.push(new ConfigError(mAt, `no dimension given for key "${key}"; write ${key}: <dimension of ${member}>`));
        else if (!dim) errors.push(new ConfigError(`${mAt}.${key}`, `"${mapping[key]}" is not a dimension of ${member}; it has ${Object.keys(stream.dimensions).join(', ')}`));
        else if (dim.type !== type) errors.push(new ConfigError(`${mAt}.${key}`, `key "${key}" is ${type} but ${member}.${dim.name} is ${dim.type}`));
      }
      for (const extra of Object.keys(mapping).filter((k) => !f.keys[k])) {
        errors.push(new ConfigError(`${mAt}.${extra}`, `"${extra}" is not a key of the fusion; keys: ${Object.keys(f.keys).join(', ')}`));
      }
      if (timezone && stream.view.timezone !== timezone.zone) {
        errors.push(new ConfigError(mAt, `members print window bounds in one time zone; ${member} uses ${stream.view.timezone}, ${timezone.member} ${timezone.zone}: set the same timezone on both streams`));
      }
      timezone ??= { member, zone: stream.view.timezone };
      for (const m of Object.values(stream.measures)) {
        if (measureMember[m.name]) {
          errors.push(new ConfigError(mAt, `measure "${m.name}" is in both ${measureMember[m.name]} and ${member}; fused measures need distinct names (rename one in its stream)`));
          continue;
        }
        if (f.keys[m.name] || m.name === 'calc') errors.push(new ConfigError(mAt, `measure "${m.name}" of ${member} has the name of a key or of calc; rename it`));
        measures[m.name] = m;
        measureMember[m.name] = member;
      }
    }
    const idleTimeoutMs = parseDuration(f.idleTimeout) ?? 30_000;
    if (idleTimeoutMs < 1) errors.push(new ConfigError(`${at}.idleTimeout`, 'expected a duration above 0, such as 30s'));
    const view = sourcelessView({ name, typeName, timezone: timezone?.zone ?? 'UTC', dimensions, measures });
    fusions[name] = Object.freeze({
      name,
      typeName,
      join: f.join,
      keys: Object.freeze({ ...f.keys }),
      members: Object.freeze(Object.fromEntries(Object.entries(f.members).map(([m, map]) => [m, Object.freeze({ ...map })]))),
      idleTimeoutMs,
      view,
      measureMember: Object.freeze(measureMember),
    });
  }
  return Object.freeze(fusions);
}
