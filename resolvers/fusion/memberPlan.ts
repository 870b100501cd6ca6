import { dimensionKey, normalizeFilter, renameFilterFields, type AggregatePlan, type CorePlan, type Filter } from '../../planner/index.ts';
import type { FusionConfig } from '../../schema/index.ts';

/**
 * The plan one member of a fusion runs: the fused grouping with keys renamed to the
 * member's dimensions, the member's own measures, and the whole filter (filters name only
 * keys, so every member applies all of it). No order or limit: the join needs every group.
 */
export function memberPlan(fusion: FusionConfig, member: string, fused: CorePlan, security: readonly Filter[] = []): AggregatePlan {
  const mapping = fusion.members[member]!;
  const dimensions = fused.dimensions
    .map((d) => {
      const name = mapping[d.name]!;
      return Object.freeze({ name, type: d.type, granularity: d.granularity, key: dimensionKey(name, d.granularity) });
    })
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const measures = fused.measures.filter((m) => fusion.measureMember[m.measure] === member);
  const filter = fused.filter && normalizeFilter(renameFilterFields(fused.filter, (key) => mapping[key]!));
  return Object.freeze({
    kind: 'aggregate',
    dataset: member,
    dimensions: Object.freeze(dimensions),
    measures: Object.freeze(measures),
    filter,
    having: null,
    order: Object.freeze([]),
    limit: null,
    offset: 0,
    security: Object.freeze([...security]),
  });
}

/**
 * A member's key columns in the order of the fusion's keys (`fused.dimensions`). Its plan
 * lists them sorted by the member's own names, which may be another order, so the join
 * pairs columns through this, never by position in the plan.
 */
export function memberKeys(fusion: FusionConfig, member: string, fused: CorePlan): string[] {
  const mapping = fusion.members[member]!;
  return fused.dimensions.map((d) => dimensionKey(mapping[d.name]!, d.granularity));
}
