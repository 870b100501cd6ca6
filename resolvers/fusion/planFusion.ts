import { dimensionKey, type AggregatePlan, type CorePlan, type PlanDimension, type QueryPlans } from '../../planner/index.ts';
import type { Config, DatasetConfig, FusionConfig } from '../../schema/index.ts';
import { rowPolicy, type Access } from '../../security/index.ts';
import { memberPlan } from './memberPlan.ts';

export interface FusionMember {
  readonly name: string;
  readonly dataset: DatasetConfig;
  /** What the member runs at its source (or answers from its cache), under the caller's row policy for it. */
  readonly plan: AggregatePlan;
}

export interface FusionPlan {
  /** The fused core: the keys, every leaf measure and the filter; the members' results are joined into it. */
  readonly fused: CorePlan;
  readonly members: readonly FusionMember[];
}

/**
 * Plans the members of a fusion query from the plans over the fusion's view, without
 * running anything: answerFusion runs these plans, and explain prints them. Each member
 * carries the caller's row policy for that member dataset.
 */
export function planFusion(config: Config, fusion: FusionConfig, plans: QueryPlans, access: Access | undefined): FusionPlan {
  // One grouping for the members: the rows' keys, or every key when only totals are asked.
  const dimensions = plans.rows?.dimensions ?? defaultKeys(fusion);
  const leaves = new Map([...(plans.rows?.measures ?? []), ...(plans.totals?.measures ?? [])].map((m) => [m.key, m]));
  const fused: CorePlan = Object.freeze({
    kind: 'core',
    dataset: fusion.view.name,
    dimensions,
    measures: [...leaves.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
    filter: (plans.rows ?? plans.totals)!.filter,
    security: [],
    pushdown: null,
  });
  const members = Object.keys(fusion.members).map((name) => {
    const dataset = config.datasets[name]!;
    return Object.freeze({ name, dataset, plan: memberPlan(fusion, name, fused, rowPolicy(access, dataset, config)) });
  });
  return Object.freeze({ fused, members: Object.freeze(members) });
}

function defaultKeys(fusion: FusionConfig): PlanDimension[] {
  return Object.values(fusion.view.dimensions)
    .map((d) => {
      const granularity = d.type === 'time' ? d.granularity : null;
      return Object.freeze({ name: d.name, type: d.type, granularity, key: dimensionKey(d.name, granularity) });
    })
    .sort((a, b) => (a.key < b.key ? -1 : 1));
}
