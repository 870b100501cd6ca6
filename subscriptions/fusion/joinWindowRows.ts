import type { DimensionValue, WindowRow } from '../window/index.ts';

/** One member's rows in a window (null: the member has no such window) and where its keys and measures are. */
export interface MemberRows {
  readonly rows: readonly WindowRow[] | null;
  /** The member's dimension for each key, in key order. */
  readonly keyDims: readonly string[];
  readonly measures: readonly string[];
}

/**
 * Joins the members' rows of one window on equal key tuples, as SQL joins do: `inner`
 * keeps keys every member has, `left` the first member's keys, `full` every key; a member
 * without a key gives nulls for its measures. A row with a null key never matches (it
 * stays a row of its own, kept by `left` for the first member and by `full`). Each
 * member's rows are grouped by the keys already, so a key occurs at most once per member.
 * Output dimensions are named after the keys; rows come in the order keys were first seen,
 * member by member (the subscription sorts them).
 */
export function joinWindowRows(join: 'inner' | 'left' | 'full', keys: readonly string[], members: readonly MemberRows[]): WindowRow[] {
  const allMeasures = members.flatMap((m) => m.measures);
  const joined = new Map<string, { row: WindowRow; members: number; inFirst: boolean }>();
  const unmatched: { row: WindowRow; member: number }[] = [];
  members.forEach((member, i) => {
    for (const source of member.rows ?? []) {
      const values: DimensionValue[] = member.keyDims.map((d) => source.dims[d] ?? null);
      if (values.some((v) => v === null)) {
        unmatched.push({ row: fusedRow(keys, values, allMeasures, member, source), member: i });
        continue;
      }
      const tuple = JSON.stringify(values);
      const found = joined.get(tuple);
      if (found) {
        for (const m of member.measures) found.row.measures[m] = source.measures[m] ?? null;
        found.members += 1;
      } else {
        joined.set(tuple, { row: fusedRow(keys, values, allMeasures, member, source), members: 1, inFirst: i === 0 });
      }
    }
  });
  const out: WindowRow[] = [];
  const everyone = members.length;
  for (const { row, members: count, inFirst } of joined.values()) {
    if (join === 'full' || (join === 'left' && inFirst) || (join === 'inner' && count === everyone)) out.push(row);
  }
  for (const { row, member } of unmatched) if (join === 'full' || (join === 'left' && member === 0)) out.push(row);
  return out;
}

function fusedRow(keys: readonly string[], values: readonly DimensionValue[], allMeasures: readonly string[], member: MemberRows, source: WindowRow): WindowRow {
  const dims: Record<string, DimensionValue> = {};
  keys.forEach((k, i) => (dims[k] = values[i]!));
  const measures: Record<string, number | null> = {};
  for (const m of allMeasures) measures[m] = null;
  for (const m of member.measures) measures[m] = source.measures[m] ?? null;
  return { dims, measures };
}
