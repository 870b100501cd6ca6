/**
 * Differential suite: random aggregate queries go through the gateway's HTTP endpoint and
 * the same question is asked of Postgres in SQL written here, independently of the planner.
 * Every row and every value must agree. The seed is printed with each failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { seededRandom, startTestGateway, type TestGateway } from './support/testGateway.ts';
import { createDiffTable, DIFF_CONFIG, DIFF_SCHEMA, DIFF_ZONE, DIMENSIONS, GRANULARITIES, MEASURE_SQL, MEASURES } from './differentialFixture.ts';
import { randomQuery, type QuerySpec } from './randomQuery.ts';
import { referenceFilterSql } from './support/referenceFilterSql.ts';

const QUERIES = 320;
const admin = await connectTestPostgres();

describe.skipIf(!admin)('differential: gateway vs hand-written SQL on real Postgres', () => {
  let gw: TestGateway;
  let expected: pg.Client;

  beforeAll(async () => {
    await createDiffTable(admin!);
    gw = await startTestGateway(DIFF_CONFIG(TEST_PG_URL));
    expected = new pg.Client({ connectionString: TEST_PG_URL, options: `-c TimeZone=${DIFF_ZONE}` });
    await expected.connect();
  });

  afterAll(async () => {
    await gw?.close();
    await expected?.end();
    await admin?.query(`drop schema if exists ${DIFF_SCHEMA} cascade`);
    await admin?.end();
  });

  it(`agrees on ${QUERIES} random queries`, async () => {
    let compared = 0;
    let rowsCompared = 0;
    for (let seed = 1; seed <= QUERIES; seed++) {
      const spec = randomQuery(seededRandom(seed));
      const actual = await gw.query(spec.graphql, spec.variables);
      expect(actual.errors, `seed ${seed}: ${spec.graphql}`).toBeUndefined();
      const want = await expectedRows(expected, spec);
      const got = actual.data.facts.rows as Record<string, unknown>[];
      expect(got.length, `seed ${seed}: row count\n${spec.graphql}\n${JSON.stringify(spec.variables)}`).toBe(want.rows.length);
      got.forEach((row, i) => expectSameRow(row, want.rows[i]!, `seed ${seed} row ${i}`));
      if (spec.totals) expectSameRow(actual.data.facts.totals, want.totals!, `seed ${seed} totals`);
      compared++;
      rowsCompared += got.length;
    }
    expect(compared).toBe(QUERIES);
    console.log(`differential: ${compared} queries, ${rowsCompared} rows compared, 0 mismatches`);
  });
});

function expectSameRow(actual: Record<string, unknown>, want: Record<string, unknown>, label: string): void {
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

/** The independent SQL for a spec, run on a session in the dataset's zone. */
async function expectedRows(client: pg.Client, spec: QuerySpec) {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = spec.where ? whereSql(spec.where, p) : 'true';
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
    totals = (await client.query(`select ${tSelect.join(', ')} from ${DIFF_SCHEMA}.facts where ${spec.where ? whereSql(spec.where, tp) : 'true'}`, tParams)).rows[0];
  }
  return { rows, totals };
}

const { whereSql, havingSql } = referenceFilterSql({
  column: (field) => field,
  type: (field) => DIMENSIONS[field as keyof typeof DIMENSIONS],
  measure: (name) => MEASURE_SQL[name]!,
  zone: DIFF_ZONE,
});

export { GRANULARITIES, MEASURES };
