import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';

/** Whether a cached core can answer a plan; a rejection says why, for explain output. */
export type Verdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** One derivation rule: a pure function of plain data. */
export type DerivationRule = (target: AggregatePlan, source: CorePlan, dataset: DatasetConfig) => Verdict;

export const OK: Verdict = Object.freeze({ ok: true });

export function reject(reason: string): Verdict {
  return Object.freeze({ ok: false, reason });
}
