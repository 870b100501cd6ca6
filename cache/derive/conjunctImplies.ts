import { canonicalJson, type CompareOp, type Filter, type Scalar } from '../../planner/index.ts';
import type { DatasetConfig } from '../../schema/index.ts';
import { compareHolds, compareNonNull } from '../../values/index.ts';

type Atom = Extract<Filter, { field: string }>;

/**
 * Whether every row satisfying the query conjunct `q` satisfies the cached conjunct `c`
 * (sound, not complete: `false` means "not proven"). Proven cases: equal predicates; a
 * point set (eq, in) whose every value satisfies `c`; a range at least as tight as `c`'s;
 * a NOT IN excluding at least `c`'s values; any comparison implying IS NOT NULL.
 */
export function conjunctImplies(q: Filter, c: Filter, dataset: DatasetConfig): boolean {
  if (canonicalJson(q) === canonicalJson(c)) return true;
  if (q.kind === 'const') return !q.value;
  if (!isAtom(q) || !isAtom(c) || q.field !== c.field) return false;
  const time = dataset.dimensions[c.field]?.type === 'time';
  const cmp = (a: Scalar, b: Scalar) => (time ? Math.sign(Date.parse(String(a)) - Date.parse(String(b))) : compareNonNull(a, b));
  const points = q.kind === 'compare' && q.op === 'eq' ? [q.value] : q.kind === 'in' && !q.negated ? q.values : null;
  if (points) return points.every((v) => holdsFor(c, v, cmp));
  if (c.kind === 'isNull') return !c.isNull && q.kind !== 'isNull'; // a comparison is never true for null
  const excluded = c.kind === 'in' && c.negated ? c.values : c.kind === 'compare' && c.op === 'ne' ? [c.value] : null;
  if (excluded) return excluded.every((v) => excludes(q, v, cmp));
  if (c.kind === 'compare' && q.kind === 'compare') return tighter(q.op, q.value, c.op, c.value, cmp);
  return false;
}

function isAtom(f: Filter): f is Atom {
  return f.kind === 'compare' || f.kind === 'in' || f.kind === 'match' || f.kind === 'isNull';
}

type Cmp = (a: Scalar, b: Scalar) => number;

/** Whether a non-null value satisfies an atom. */
function holdsFor(c: Atom, v: Scalar, cmp: Cmp): boolean {
  switch (c.kind) {
    case 'compare':
      return compareHolds(c.op, cmp(v, c.value));
    case 'in':
      return c.values.some((w) => cmp(v, w) === 0) !== c.negated;
    case 'match':
      return typeof v === 'string' && (c.op === 'contains' ? v.includes(c.value) : v.startsWith(c.value));
    case 'isNull':
      return !c.isNull;
  }
}

/** Whether `q` is false or unknown for every row holding `v`. */
function excludes(q: Atom, v: Scalar, cmp: Cmp): boolean {
  if (q.kind === 'in' && q.negated) return q.values.some((w) => cmp(v, w) === 0);
  if (q.kind === 'compare') return !compareHolds(q.op, cmp(v, q.value));
  return false;
}

/** Whether `field qOp b` implies `field cOp a` for ranges (gt, gte, lt, lte). */
function tighter(qOp: CompareOp, b: Scalar, cOp: CompareOp, a: Scalar, cmp: Cmp): boolean {
  const lower = (op: CompareOp) => op === 'gt' || op === 'gte';
  const upper = (op: CompareOp) => op === 'lt' || op === 'lte';
  const sign = cmp(b, a);
  if (lower(qOp) && lower(cOp)) return cOp === 'gte' || qOp === 'gt' ? sign >= 0 : sign > 0;
  if (upper(qOp) && upper(cOp)) return cOp === 'lte' || qOp === 'lt' ? sign <= 0 : sign < 0;
  return false;
}
