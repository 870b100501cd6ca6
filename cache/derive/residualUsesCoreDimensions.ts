import { assertNever, type AggregatePlan, type CorePlan, type Filter } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { residualFilter } from './filterImplied.ts';
import { finestTimeDimension } from './finestTimeDimension.ts';
import { timeResidualProblem } from './timeResidualProblem.ts';
import { OK, reject, type Verdict } from './Verdict.ts';

/**
 * The residual filter is evaluated on cached rows, so it may only read the core's
 * dimensions, and time predicates only where they split no cached bucket.
 */
export function residualUsesCoreDimensions(target: AggregatePlan, source: CorePlan, dataset: DatasetConfig): Verdict {
  const residual = residualFilter(target, source);
  const problem = residual && problemOf(residual, source, dataset);
  return problem ? reject(problem) : OK;
}

function problemOf(f: Filter, source: CorePlan, dataset: DatasetConfig): string | null {
  switch (f.kind) {
    case 'const':
      return null;
    case 'and':
    case 'or':
      for (const arg of f.args) {
        const problem = problemOf(arg, source, dataset);
        if (problem) return problem;
      }
      return null;
    case 'not':
      return problemOf(f.arg, source, dataset);
    case 'compare':
    case 'in':
    case 'match':
    case 'isNull': {
      const held = source.dimensions.find((d) => d.name === f.field);
      if (!held) return `filter on "${f.field}" needs a dimension the cached core does not have`;
      if (held.type !== 'time') return null;
      return timeResidualProblem(f, finestTimeDimension(source, f.field).granularity!, dataset.timezone);
    }
    default:
      return assertNever(f);
  }
}
