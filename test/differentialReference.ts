/**
 * The differential suites' reference: the SQL for a random query spec (randomQuery.ts),
 * written here independently of the planner, and the comparison of a result row with it.
 */
import { expect } from 'vitest';
import type pg from 'pg';
import { DIFF_SCHEMA, DIFF_ZONE, DIMENSIONS, MEASURE_SQL } from './differentialFixture.ts';
import type { QuerySpec } from './randomQuery.ts';
import { referenceFilterSql } from './support/referenceFilterSql.ts';

/** A time range [from, to) of ts (ISO-8601 with an offset); null ends are open. */
export interface TsRange {
  readonly from: string | null;
  readonly to: string | null;
}

export function expectSameRow(actual: Record<string, unknown>, want: Record<string, unknown>, label: string): void {
  for (const [alias, value] of Object.entries(want)) {
    const got = actual[alias];
    if (typeof value === 'number' && typeof got === 'number') {
      const tolerance = 1e-9 * Math.max(1, Math.abs(value), Math.abs(got));
      expect(Math.abs(got - value), `${label} ${alias}: got ${got}, want ${value}`).toBeLessThanOrEqual(tolerance);
    } else {
      expect(got, `${label} ${alias}`).toEqual(value);
    }
  }
}

/**
 * The independent SQL for a spec, run on a session in the dataset's zone. With `within`,
 * only rows whose ts falls in one of those ranges count (the slices a progressive version
 * covers).
 */
export async function expectedRows(client: pg.Client, spec: QuerySpec, within?: readonly TsRange[]) {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = `${spec.where ? whereSql(spec.where, p) : 'true'}${within ? ` and ${rangesSql(within, p)}` : ''}`;
  const wall = (g: string) => `date_trunc('${g.toLowerCase()}', ts at time zone '${DIFF_ZONE}')`;
  const groups = spec.dims.map((d) => (d.granularity ? wall(d.granularity) : d.name));
  const select = [
    ...spec.dims.map((d, i) =>
      d.granularity
        ? `to_char(${groups[i]} at time zone '${DIFF_ZONE}', 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM') as "${d.alias}"`
        : `${d.name}${DIMENSIONS[d.name as keyof typeof DIMENSIONS] === 'number' ? '::float8' : ''} as "${d.alias}"`,
    ),
    ...spec.measures.map((m) => `(${MEASURE_SQL[m.name]})::float8 as "${m.alias}"`),
    ...spec.calcs.map((c) => `(${c.sql})::float8 as "${c.alias}"`),
  ];
  if (select.length === 0) select.push('count(*) as "_"');
  let sql = `select ${select.join(', ')} from ${DIFF_SCHEMA}.facts where ${where}`;
  if (groups.length > 0) sql += ` group by ${groups.join(', ')}`;
  if (spec.having) sql += ` having ${havingSql(spec.having, p)}`;
  // The contract's order: requested keys, then every other dimension ascending by plan key.
  const keyOf = (d: QuerySpec['dims'][number]) => (d.granularity ? `${d.name}.${d.granularity.toLowerCase()}` : d.name);
  const used = new Set<string>();
  const order: string[] = [];
  for (const o of spec.orderBy) {
    if (MEASURE_SQL[o.field]) order.push(`${MEASURE_SQL[o.field]} ${o.dir} nulls last`);
    const dims = spec.dims.filter((d) => d.name === o.field).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
    for (const d of dims) {
      if (used.has(keyOf(d))) continue;
      used.add(keyOf(d));
      order.push(`${groups[spec.dims.indexOf(d)]} ${o.dir} nulls last`);
    }
  }
  const rest = spec.dims.filter((d) => !used.has(keyOf(d))).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const restKeys = new Set<string>();
  for (const d of rest) {
    if (restKeys.has(keyOf(d))) continue;
    restKeys.add(keyOf(d));
    order.push(`${groups[spec.dims.indexOf(d)]} asc nulls last`);
  }
  if (order.length > 0 && groups.length > 0) sql += ` order by ${order.join(', ')}`;
  sql += ` limit ${spec.limit ?? 1000} offset ${spec.offset ?? 0}`;
  const rows = (await client.query(sql, params)).rows.map(({ _, ...row }) => row);
  let totals: Record<string, unknown> | null = null;
  if (spec.totals) {
    const tParams: unknown[] = [];
    const tp = (v: unknown) => `$${tParams.push(v)}`;
    const tSelect = spec.totals.map((m) => `(${MEASURE_SQL[m.name]})::float8 as "${m.alias}"`);
    tSelect.push(...spec.totalCalcs.map((c) => `(${c.sql})::float8 as "${c.alias}"`));
    const tWhere = `${spec.where ? whereSql(spec.where, tp) : 'true'}${within ? ` and ${rangesSql(within, tp)}` : ''}`;
    totals = (await client.query(`select ${tSelect.join(', ')} from ${DIFF_SCHEMA}.facts where ${tWhere}`, tParams)).rows[0];
  }
  return { rows, totals };
}

const { whereSql, havingSql } = referenceFilterSql({
  column: (field) => field,
  type: (field) => DIMENSIONS[field as keyof typeof DIMENSIONS],
  measure: (name) => MEASURE_SQL[name]!,
  zone: DIFF_ZONE,
});


/** ts in any of the ranges (none: no row). */
function rangesSql(ranges: readonly TsRange[], p: (v: unknown) => string): string {
  if (ranges.length === 0) return 'false';
  const one = (r: TsRange) => `(${[r.from === null ? 'true' : `ts >= ${p(r.from)}::timestamptz`, r.to === null ? 'true' : `ts < ${p(r.to)}::timestamptz`].join(' and ')})`;
  return `(${ranges.map(one).join(' or ')})`;
}
