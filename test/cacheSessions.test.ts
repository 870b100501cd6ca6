/**
 * Differential sessions with the cache on: random dashboard sessions (test/dashboardSession.ts)
 * where each query is the previous one changed by one interaction. Every answer (cache on,
 * DEFAULT mode: HIT, DERIVED or MISS) must equal the same query with `cache: BYPASS`, which
 * pushes the whole plan down as SQL; every 10th answer is also checked against SQL written
 * here. The seed, step and interaction are printed with each failure. Sessions run in order
 * on one gateway, so a session also derives from the entries earlier sessions left behind:
 * replay a failure with the sessions before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { seededRandom, startTestGateway, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { expectSameRows } from './support/rowDifference.ts';
import { MEASURE_SQL, nextInteraction, OPENING_CHARTS, sessionRequest, type SessionState } from './dashboardSession.ts';

const SCHEMA = 'tributary_cache_sessions';
const ZONE = 'America/New_York';
const STEPS = 55;
const ORACLE_EVERY = 10;
type Row = Record<string, unknown>;

const CONFIG = (url: string) => `
server: { defaultLimit: 1000, maxLimit: 50000 }
cache: { enabled: true, maxBytes: 256mb }
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  facts:
    source: warehouse
    table: ${SCHEMA}.facts
    timezone: ${ZONE}
    dimensions:
      region: { type: string }
      product: { type: string }
      channel: { type: string }
      qty: { type: number }
      ts: { type: time, granularity: day }
    measures:
      revenue: { sum: amount }
      cost: { sum: cost }
      orders: { count: "*" }
      qtyCount: { count: qty }
      customers: { countDistinct: customer }
      avgPrice: { avg: price }
      maxAmount: { max: amount }
      minAmount: { min: amount }
`;

const admin = await connectTestPostgres();

describe.skipIf(!admin)('cache sessions: dashboard interactions answered from the cache equal BYPASS answers', () => {
  let gw: TestGateway;
  let oracle: pg.Client;

  beforeAll(async () => {
    // 12,000 rows over two years of New York time (both DST changes each year), with nulls
    // in region, qty and price, so roll-ups cross DST and null groups.
    await admin!.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
    await admin!.query(`
      create table ${SCHEMA}.facts as
      select *, (price * qty)::numeric(12,2) as amount, round(price * qty * 0.6, 2)::numeric(12,2) as cost
      from (
        select g as id,
          timestamptz '2023-01-01 00:00:00+00' + ((g::int8 * 2654435761) % 63072000) * interval '1 second' as ts,
          case when g % 29 = 0 then null else (array['North','South','East','West','Central'])[1 + (g * 7) % 5] end as region,
          'P' || (1 + (g * 13) % 8) as product,
          (array['web','store','partner'])[1 + (g * 11) % 3] as channel,
          case when g % 17 = 0 then null else 1 + (g * 5) % 9 end as qty,
          case when g % 23 = 0 then null else ((g * 37) % 2000) / 100.0 + 1 end::numeric(8,2) as price,
          1 + (g * 31) % 997 as customer
        from generate_series(1, 12000) g) base;
      analyze ${SCHEMA}.facts`);
    gw = await startTestGateway(CONFIG(TEST_PG_URL));
    oracle = new pg.Client({ connectionString: TEST_PG_URL, options: `-c TimeZone=${ZONE}` });
    await oracle.connect();
  });

  afterAll(async () => {
    await gw?.close();
    await oracle?.end();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it(`${OPENING_CHARTS.length} sessions of ${STEPS} interactions agree with BYPASS and SQL`, async () => {
    const tally: Record<string, number> = { HIT: 0, DERIVED: 0, MISS: 0, BYPASS: 0 };
    const byMove = new Map<string, Record<string, number>>();
    let interactions = 0;
    // CACHE_SESSION_SEED and CACHE_SESSION_ROUNDS widen the sweep by hand; CI runs the default.
    const seedBase = Number(process.env.CACHE_SESSION_SEED ?? 1000);
    const rounds = Number(process.env.CACHE_SESSION_ROUNDS ?? 1);
    const openings = Array.from({ length: rounds }, () => OPENING_CHARTS).flat();
    for (const [i, opening] of openings.entries()) {
      const seed = seedBase + i;
      const rand = seededRandom(seed);
      let state: SessionState = opening;
      let shown: Row[] = [];
      for (let step = 0; step < STEPS; step++) {
        const next = step === 0 ? { move: 'open', state } : nextInteraction(state, rand, shown);
        state = next.state;
        const label = `seed ${seed} step ${step} (${next.move}): ${JSON.stringify(state)}`;
        const cached = await ask(gw, state, 'DEFAULT', label);
        const bypass = await ask(gw, state, 'BYPASS', label);
        const outcome: string = cached.meta.cache;
        tally[outcome]!++;
        const moveTally = byMove.get(next.move) ?? {};
        moveTally[outcome] = (moveTally[outcome] ?? 0) + 1;
        byMove.set(next.move, moveTally);
        expect(['HIT', 'DERIVED', 'MISS'], label).toContain(outcome);
        expect(bypass.meta.cache, label).toBe('BYPASS');
        if (outcome === 'MISS') expect(cached.meta.sources.length, `${label}: a MISS without a source call`).toBeGreaterThan(0);
        else expect(cached.meta.sources, `${label}: a ${outcome} answer called a source`).toEqual([]);
        expectSameRows(cached.rows, bypass.rows, `${label}: cached vs BYPASS rows`);
        if (state.totals) expectSameRows([cached.totals], [bypass.totals], `${label}: cached vs BYPASS totals`);
        if (interactions % ORACLE_EVERY === 0) {
          const want = await oracleAnswer(oracle, state);
          expectSameRows(cached.rows, want.rows, `${label}: cached vs SQL rows`);
          if (want.totals) expectSameRows([cached.totals], [want.totals], `${label}: cached vs SQL totals`);
        }
        shown = cached.rows;
        interactions++;
      }
    }
    const answeredFromCache = tally.HIT! + tally.DERIVED!;
    console.log(`cache sessions: ${interactions} interactions: HIT ${tally.HIT}, DERIVED ${tally.DERIVED}, MISS ${tally.MISS} (${Math.round((100 * answeredFromCache) / interactions)}% without a source call)`);
    for (const [move, counts] of [...byMove].sort()) console.log(`  ${move.padEnd(16)} ${JSON.stringify(counts)}`);
    expect(interactions).toBeGreaterThanOrEqual(300);
    expect(answeredFromCache / interactions).toBeGreaterThanOrEqual(0.5);
  });
});

async function ask(gw: TestGateway, state: SessionState, cache: 'DEFAULT' | 'BYPASS', label: string) {
  const { query, variables } = sessionRequest(state, cache);
  const response: GraphQLResponse = await gw.query(query, variables);
  expect(response.errors, `${label} [${cache}]`).toBeUndefined();
  return response.data.facts as { rows: Row[]; totals: Row; meta: { cache: string; sources: { sql: string; rows: number }[] } };
}

/** The session's query written in SQL by hand, on a session in the dataset's zone. */
async function oracleAnswer(client: pg.Client, s: SessionState): Promise<{ rows: Row[]; totals: Row | null }> {
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const bucket = (g: string) => `date_trunc('${g.toLowerCase()}', ts at time zone '${ZONE}')`;
  const group = (d: SessionState['dims'][number]) => (d.granularity ? bucket(d.granularity) : d.name);
  const key = (d: SessionState['dims'][number]) => (d.granularity ? `ts.${d.granularity.toLowerCase()}` : d.name);
  const select = [
    ...s.dims.map((d) =>
      d.granularity
        ? `to_char(${group(d)} at time zone '${ZONE}', 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM') as ts`
        : `${d.name}${d.name === 'qty' ? '::float8' : ''} as ${d.name}`,
    ),
    ...s.measures.map((m) => `${MEASURE_SQL[m]} as "${m}"`),
    ...(s.calc ? [`(${s.calc.sql})::float8 as calc`] : []),
  ];
  let sql = `select ${select.join(', ')} from ${SCHEMA}.facts where ${whereSql(s.where, p)} group by ${s.dims.map(group).join(', ')}`;
  if (s.having) sql += ` having ${MEASURE_SQL[s.having.measure]} ${{ gt: '>', gte: '>=', lt: '<' }[s.having.op]} ${p(s.having.value)}`;
  // The contract's order: the requested keys, then every other dimension ascending by key.
  const order = s.orderBy.map((o) => {
    const dim = s.dims.find((d) => d.name === o.field);
    return `${dim ? group(dim) : MEASURE_SQL[o.field]} ${o.dir} nulls last`;
  });
  const rest = s.dims.filter((d) => !s.orderBy.some((o) => o.field === d.name)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
  order.push(...rest.map((d) => `${group(d)} asc nulls last`));
  sql += ` order by ${order.join(', ')} limit ${s.limit ?? 1000} offset ${s.offset ?? 0}`;
  const rows = (await client.query(sql, params)).rows;
  if (!s.totals) return { rows, totals: null };
  const tParams: unknown[] = [];
  const tSelect = [...s.measures.map((m) => `${MEASURE_SQL[m]} as "${m}"`), ...(s.calc ? [`(${s.calc.sql})::float8 as calc`] : [])];
  const tSql = `select ${tSelect.join(', ')} from ${SCHEMA}.facts where ${whereSql(s.where, (v) => `$${tParams.push(v)}`)}`;
  return { rows, totals: (await client.query(tSql, tParams)).rows[0] };
}

function whereSql(where: SessionState['where'], p: (v: unknown) => string): string {
  const parts = ['true'];
  for (const [field, predicate] of Object.entries(where)) {
    const value = (v: unknown) => (field === 'ts' ? `(${p(v)}::timestamp at time zone '${ZONE}')` : field === 'qty' ? `${p(v)}::numeric` : `${p(v)}::text`);
    for (const [op, v] of Object.entries(predicate)) {
      const list = v as unknown[];
      if (op === 'in') parts.push(list.length ? `${field} in (${list.map(value).join(', ')})` : 'false');
      else if (op === 'notIn') parts.push(list.length ? `${field} not in (${list.map(value).join(', ')})` : 'true');
      else if (op === 'contains') parts.push(`position(${value(v)} in ${field}) > 0`);
      else if (op === 'isNull') parts.push(`${field} is ${v ? '' : 'not '}null`);
      else parts.push(`${field} ${{ eq: '=', gte: '>=', lt: '<' }[op]} ${value(v)}`);
    }
  }
  return parts.join(' and ');
}
