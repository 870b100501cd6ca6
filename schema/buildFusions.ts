import { ConfigError } from '../errors/index.ts';
import { GRANULARITIES, type DatasetConfig, type DimensionConfig, type FusionConfig, type MeasureConfig } from './Config.ts';
import type { RawConfig } from './configSchema.ts';
import { pascalCase } from './pascalCase.ts';
import { sourcelessView } from './sourcelessView.ts';

/**
 * Checks every relation of `owners` (the datasets, or the streams' views; `kind` names them
 * in error paths): target dataset exists, key dimensions exist on both sides with one type.
 */
export function checkRelations(
  datasets: Readonly<Record<string, DatasetConfig>>,
  owners: Readonly<Record<string, DatasetConfig>> = datasets,
  kind: 'datasets' | 'streams' = 'datasets',
): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const d of Object.values(owners)) {
    for (const r of Object.values(d.relations)) {
      const at = `${kind}.${d.name}.relations.${r.name}`;
      if (d.dimensions[r.name] || d.measures[r.name]) errors.push(new ConfigError(at, `"${r.name}" is also a field of ${d.name}; names must be unique`));
      if (r.name === 'calc') errors.push(new ConfigError(at, '"calc" is reserved (the calculation field of every row); choose another name'));
      if (r.name === 'previous' && kind === 'datasets') errors.push(new ConfigError(at, '"previous" is reserved (the compared period of every row, with compare); choose another name'));
      const target = datasets[r.dataset];
      if (!target) {
        errors.push(new ConfigError(`${at}.dataset`, `unknown dataset "${r.dataset}"; defined datasets: ${Object.keys(datasets).join(', ')}`));
        continue;
      }
      for (const [mine, theirs] of Object.entries(r.on)) {
        const a = d.dimensions[mine];
        const b = target.dimensions[theirs];
        if (!a) errors.push(new ConfigError(`${at}.on.${mine}`, `"${mine}" is not a dimension of ${d.name}`));
        if (!b) errors.push(new ConfigError(`${at}.on.${mine}`, `"${theirs}" is not a dimension of ${r.dataset}`));
        if (a && b && a.type !== b.type) errors.push(new ConfigError(`${at}.on.${mine}`, `${d.name}.${mine} is ${a.type} but ${r.dataset}.${theirs} is ${b.type}`));
      }
    }
  }
  return errors;
}

/**
 * Validates fusions and builds, for each, a `view`: the fusion seen as one dataset whose
 * dimensions are the keys and whose measures are the members' measures, so the planner
 * and the cache's executor treat fused rows like any aggregate.
 */
export function buildFusions(
  raw: RawConfig['fusions'],
  datasets: Readonly<Record<string, DatasetConfig>>,
  typeNames: Map<string, string>,
  errors: ConfigError[],
): Readonly<Record<string, FusionConfig>> {
  const fusions: Record<string, FusionConfig> = {};
  for (const [name, f] of Object.entries(raw)) {
    const at = `fusions.${name}`;
    if (datasets[name]) errors.push(new ConfigError(at, `"${name}" is also a dataset; names must be unique`));
    const typeName = pascalCase(name);
    if (typeNames.has(typeName)) errors.push(new ConfigError(at, `its GraphQL type name ${typeName} is also used by "${typeNames.get(typeName)}"; rename one`));
    typeNames.set(typeName, name);
    const measures: Record<string, MeasureConfig> = {};
    const measureMember: Record<string, string> = {};
    const dimensions: Record<string, DimensionConfig> = {};
    let timezone: string | null = null;
    for (const [member, mapping] of Object.entries(f.members)) {
      const mAt = `${at}.members.${member}`;
      const dataset = datasets[member];
      if (!dataset) {
        errors.push(new ConfigError(mAt, `unknown dataset "${member}"; defined datasets: ${Object.keys(datasets).join(', ')}`));
        continue;
      }
      for (const [key, type] of Object.entries(f.keys)) {
        const dim = dataset.dimensions[mapping[key] ?? ''];
        if (!mapping[key]) errors.push(new ConfigError(mAt, `no dimension given for key "${key}"; write ${key}: <dimension of ${member}>`));
        else if (!dim) errors.push(new ConfigError(`${mAt}.${key}`, `"${mapping[key]}" is not a dimension of ${member}`));
        else if (dim.type !== type) errors.push(new ConfigError(`${mAt}.${key}`, `key "${key}" is ${type} but ${member}.${dim.name} is ${dim.type}`));
        else {
          // The key's default bucket is the coarsest of the members' (monthly targets and
          // daily sales meet by month).
          const prior = dimensions[key]?.granularity;
          const granularity = prior && GRANULARITIES.indexOf(prior) > GRANULARITIES.indexOf(dim.granularity) ? prior : dim.granularity;
          dimensions[key] = Object.freeze({ name: key, type, column: key, granularity });
        }
        if (dim?.type === 'time' && timezone !== null && dataset.timezone !== timezone) {
          errors.push(new ConfigError(`${mAt}.${key}`, `time keys need one time zone; ${member} uses ${dataset.timezone}, an earlier member ${timezone}`));
        }
      }
      timezone ??= dataset.timezone;
      for (const extra of Object.keys(mapping).filter((k) => !f.keys[k])) {
        errors.push(new ConfigError(`${mAt}.${extra}`, `"${extra}" is not a key of the fusion; keys: ${Object.keys(f.keys).join(', ')}`));
      }
      for (const m of Object.values(dataset.measures)) {
        if (measureMember[m.name]) {
          errors.push(new ConfigError(mAt, `measure "${m.name}" is in both ${measureMember[m.name]} and ${member}; fused measures need distinct names`));
          continue;
        }
        if (f.keys[m.name]) errors.push(new ConfigError(mAt, `measure "${m.name}" of ${member} has the name of a key`));
        measures[m.name] = m;
        measureMember[m.name] = member;
      }
    }
    const view = sourcelessView({ name, typeName, timezone: timezone ?? 'UTC', dimensions, measures });
    fusions[name] = Object.freeze({
      name,
      typeName,
      join: f.join,
      keys: Object.freeze({ ...f.keys }),
      members: Object.freeze(Object.fromEntries(Object.entries(f.members).map(([m, map]) => [m, Object.freeze({ ...map })]))),
      view,
      measureMember: Object.freeze(measureMember),
    });
  }
  return Object.freeze(fusions);
}
