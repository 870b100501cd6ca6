/**
 * Derivation: answering an aggregate plan from a cached core (plan + Arrow table) without
 * a source call. `canDerive` decides with one rule per file; `deriveTable` computes.
 */
export type { Verdict, DerivationRule } from './Verdict.ts';
export { canDerive, DERIVATION_RULES } from './canDerive.ts';
export { deriveTable } from './deriveTable.ts';
export { chooseCandidate, type Candidate } from './chooseCandidate.ts';
export { residualFilter } from './filterImplied.ts';
export { rollsUpTo } from './timeRollsUp.ts';
export { ByteDictionary } from './ByteDictionary.ts';
export { initialMask } from './initialMask.ts';
export { memoBytesOf } from './columnCache.ts';
export { mergePartials } from './mergePartials.ts';
