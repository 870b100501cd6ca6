import type { AggregatePlan, CorePlan } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { canDerive } from './canDerive.ts';

/** A cached core that might answer a plan; `rows` is its size, the cost of deriving from it. */
export interface Candidate {
  readonly key: string;
  readonly core: CorePlan;
  readonly rows: number;
}

/**
 * Picks the cheapest (fewest rows) candidate that can answer; the first one wins a tie.
 * Every other candidate is reported with the reason it was not chosen.
 */
export function chooseCandidate(
  target: AggregatePlan,
  candidates: readonly Candidate[],
  dataset: DatasetConfig,
): { chosen: Candidate | null; rejected: { key: string; reason: string }[] } {
  const verdicts = candidates.map((candidate) => canDerive(target, candidate.core, dataset));
  let chosen: Candidate | null = null;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (verdicts[i]!.ok && (chosen === null || c.rows < chosen.rows)) chosen = c;
  }
  const best = chosen;
  const rejected: { key: string; reason: string }[] = [];
  candidates.forEach((c, i) => {
    const verdict = verdicts[i]!;
    if (!verdict.ok) rejected.push({ key: c.key, reason: verdict.reason });
    else if (best !== null && c !== best) rejected.push({ key: c.key, reason: `${best.key} answers from ${best.rows} rows; this core holds ${c.rows}` });
  });
  return { chosen, rejected };
}
