import type { Config, DatasetConfig, FusionConfig, RoleConfig, StreamConfig, StreamFusionConfig } from '../schema/index.ts';
import { grantFor } from './grantFor.ts';

/**
 * The config as one role sees it: only the datasets, fusions and streams it is granted,
 * each with only its visible members, so the schema built from it (introspection,
 * validation, `_datasets`) shows nothing else. Relations stay only when their target is
 * visible and their keys are (a stream's: its keys and the target's). Plans are still made over the full config: a row policy may
 * filter on a dimension the role cannot select.
 */
export function roleView(config: Config, role: RoleConfig): Config {
  if (role.all) return config;
  const visibleMembers = (target: string, always: readonly string[] = []): ReadonlySet<string> | null | undefined => {
    const grant = grantFor(role, target, config);
    if (!grant) return undefined; // not granted
    return grant.members ? new Set([...grant.members, ...always]) : null; // null: all
  };
  const datasets: Record<string, DatasetConfig> = {};
  for (const d of Object.values(config.datasets)) {
    // A landing dataset under its stream's grant keeps its window time dimension.
    const members = visibleMembers(d.name, role.grants[d.name] ? [] : Object.keys(d.dimensions).filter((k) => d.dimensions[k]!.type === 'time'));
    if (members !== undefined) datasets[d.name] = restrict(d, members);
  }
  for (const [name, d] of Object.entries(datasets)) {
    const relations = Object.values(d.relations).filter((r) => datasets[r.dataset] && Object.keys(r.on).every((k) => d.dimensions[k]));
    datasets[name] = Object.freeze({ ...d, relations: Object.freeze(Object.fromEntries(relations.map((r) => [r.name, r]))) });
  }
  const fusions: Record<string, FusionConfig> = {};
  for (const f of Object.values(config.fusions)) {
    const members = visibleMembers(f.name);
    if (members === undefined) continue;
    const keyVisible = (key: string) => Object.entries(f.members).every(([member, mapping]) => datasets[member]?.dimensions[mapping[key]!]);
    const measureVisible = (m: string) => Boolean(datasets[f.measureMember[m]!]?.measures[m]);
    const view = restrict(f.view, members, (key) => keyVisible(key), measureVisible);
    fusions[f.name] = Object.freeze({ ...f, view });
  }
  const streams: Record<string, StreamConfig> = {};
  for (const s of Object.values(config.streams)) {
    const members = visibleMembers(s.name);
    if (members === undefined) continue;
    const restricted = restrict(s.view, members);
    // As for datasets, and stricter: the target's key dimensions must be visible too (a row
    // would otherwise reveal which of its hidden key values exist).
    const relations = Object.values(restricted.relations).filter(
      (r) => datasets[r.dataset] && Object.keys(r.on).every((k) => restricted.dimensions[k]) && Object.values(r.on).every((k) => datasets[r.dataset]!.dimensions[k]),
    );
    const view = Object.freeze({ ...restricted, relations: Object.freeze(Object.fromEntries(relations.map((r) => [r.name, r]))) });
    // A history field only where its measure is visible, on the stream and on its history dataset.
    const history = Object.fromEntries(Object.entries(s.history).filter(([, h]) => view.measures[h.measure] && s.landing && datasets[s.landing.dataset]?.measures[h.measure]));
    streams[s.name] = Object.freeze({ ...s, dimensions: view.dimensions, measures: view.measures, view, history: Object.freeze(history) });
  }
  // A stream fusion as a dataset fusion: its keys where every member shows the key's
  // dimension, its measures where their member stream shows them.
  const streamFusions: Record<string, StreamFusionConfig> = {};
  for (const f of Object.values(config.streamFusions)) {
    const members = visibleMembers(f.name);
    if (members === undefined || !Object.keys(f.members).every((m) => streams[m])) continue;
    const keyVisible = (key: string) => Object.entries(f.members).every(([member, mapping]) => streams[member]!.dimensions[mapping[key]!]);
    const measureVisible = (m: string) => Boolean(streams[f.measureMember[m]!]?.measures[m]);
    streamFusions[f.name] = Object.freeze({ ...f, view: restrict(f.view, members, keyVisible, measureVisible) });
  }
  return Object.freeze({
    ...config,
    datasets: Object.freeze(datasets),
    fusions: Object.freeze(fusions),
    streams: Object.freeze(streams),
    streamFusions: Object.freeze(streamFusions),
  });
}

function restrict(
  d: DatasetConfig,
  members: ReadonlySet<string> | null,
  dimensionAllowed: (name: string) => boolean = () => true,
  measureAllowed: (name: string) => boolean = () => true,
): DatasetConfig {
  const shown = (name: string) => members === null || members.has(name);
  const pick = <T>(record: Readonly<Record<string, T>>, allowed: (name: string) => boolean) =>
    Object.freeze(Object.fromEntries(Object.entries(record).filter(([name]) => shown(name) && allowed(name))));
  return Object.freeze({ ...d, dimensions: pick(d.dimensions, dimensionAllowed), measures: pick(d.measures, measureAllowed) });
}
