import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { dimensionsCovered } from './dimensionsCovered.ts';
import { filterImplied } from './filterImplied.ts';
import { measuresReaggregable } from './measuresReaggregable.ts';
import { pushdownMatches } from './pushdownMatches.ts';
import { residualUsesCoreDimensions } from './residualUsesCoreDimensions.ts';
import { sameDataset } from './sameDataset.ts';
import { securityImplied } from './securityImplied.ts';
import { timeRollsUp } from './timeRollsUp.ts';
import { OK, type DerivationRule, type Verdict } from './Verdict.ts';

/** The rules, in the order their reasons are reported: the first failure explains. */
export const DERIVATION_RULES: readonly DerivationRule[] = Object.freeze([
  sameDataset,
  pushdownMatches,
  securityImplied,
  dimensionsCovered,
  timeRollsUp,
  measuresReaggregable,
  filterImplied,
  residualUsesCoreDimensions,
]);

/** Whether the cached core `source` answers `target` without a source call (DESIGN.md). */
export function canDerive(target: AggregatePlan, source: CorePlan, dataset: DatasetConfig): Verdict {
  for (const rule of DERIVATION_RULES) {
    const verdict = rule(target, source, dataset);
    if (!verdict.ok) return verdict;
  }
  return OK;
}
