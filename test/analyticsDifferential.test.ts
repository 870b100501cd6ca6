/**
 * Differential suite for issue 14 ("Analytics depth"): random queries mixing relative and
 * absolute ranges, compare, rolling windows, total()/parent()/previous.x in calc, built-in
 * and custom granularities, gap filling, other dimensions, filters, having, order and limit
 * go through the gateway (zone America/New_York, clocks fixed on DST-change days), and the
 * same question is answered by SQL written in test/analyticsReference.ts. Every row, value
 * and resolved range must agree. The suite runs once with the cache off and once with the
 * cache on after one broad core is warmed, where most answers are DERIVED (the share is
 * printed). Each mismatch prints the query, its clock, the row key, the field, got and want.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { parseConfig } from '../schema/index.ts';
import { createGateway, startServer } from '../server/index.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { seededRandom } from './support/seededRandom.ts';
import type { GraphQLResponse } from './support/testGateway.ts';
import { createDiffTable, DIFF_ZONE } from './differentialFixture.ts';
import { expectedAnswer, resolveBounds, shiftInterval, type ResolvedBounds, type Row } from './analyticsReference.ts';
import { ANALYTICS_MEASURES, randomAnalyticsQuery, type AnalyticsSpec } from './randomAnalyticsQuery.ts';

/** A schema of its own, so this suite may run beside test/differential.test.ts. */
const SCHEMA = 'tributary_analytics_diff';
const QUERIES = Number(process.env.ANALYTICS_DIFF_QUERIES ?? 160);
const SEED = Number(process.env.ANALYTICS_DIFF_SEED ?? 14_000);

const CONFIG = (url: string, cache: boolean) => `
server: { defaultLimit: 1000, maxLimit: 50000 }
cache: ${cache ? '{ enabled: true, maxBytes: 512mb, ttl: 1h }' : '{ enabled: false }'}
sources:
  warehouse: { kind: postgres, url: "${url}" }
datasets:
  facts:
    source: warehouse
    table: ${SCHEMA}.facts
    timezone: ${DIFF_ZONE}
    granularities:
      fiscalQuarter: { interval: "3 months", origin: "2023-02-01" }
      fortnight: { interval: "2 weeks", origin: "2023-01-02" }
    dimensions:
      region: { type: string }
      product: { type: string }
      channel: { type: string }
      qty: { type: number }
      ts: { type: time, granularity: day }
    measures:
      revenue: { sum: amount }
      orders: { count: "*" }
      qtyCount: { count: qty }
      customers: { countDistinct: customer }
      avgPrice: { avg: price }
      maxAmount: { max: amount }
      minAmount: { min: amount }
`;

/** A gateway on a free port whose clock the test sets (`createGateway(config, { now })`). */
interface ClockedGateway {
  setNow(ms: number): void;
  query(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse>;
  close(): Promise<void>;
}

async function startClockedGateway(yaml: string): Promise<ClockedGateway> {
  let now = Date.parse('2024-03-10T15:00:00Z');
  const gateway = await createGateway(parseConfig(yaml, { env: process.env }), { now: () => now });
  const server = await startServer(gateway, { port: 0, host: '127.0.0.1' });
  return {
    setNow: (ms) => void (now = ms),
    async query(query, variables = {}) {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

const specs: AnalyticsSpec[] = Array.from({ length: QUERIES }, (_, i) => randomAnalyticsQuery(seededRandom(SEED + i), SEED + i));

const admin = await connectTestPostgres();

describe.skipIf(!admin)('analytics differential: issue 14 features vs hand-written SQL on real Postgres', () => {
  let reference: pg.Client;
  let cacheOff: ClockedGateway;
  let cacheOn: ClockedGateway;

  beforeAll(async () => {
    await createDiffTable(admin!, SCHEMA);
    reference = new pg.Client({ connectionString: TEST_PG_URL, options: `-c TimeZone=${DIFF_ZONE}` });
    await reference.connect();
    cacheOff = await startClockedGateway(CONFIG(TEST_PG_URL, false));
    cacheOn = await startClockedGateway(CONFIG(TEST_PG_URL, true));
  }, 120_000);

  afterAll(async () => {
    await cacheOff?.close();
    await cacheOn?.close();
    await reference?.end();
    await admin?.query(`drop schema if exists ${SCHEMA} cascade`);
    await admin?.end();
  });

  it('the random queries mix the features', () => {
    const mixed = specs.filter((s) => s.features.length >= 3).length;
    const count = (f: string) => specs.filter((s) => s.features.includes(f)).length;
    console.log(
      `analytics differential: ${specs.length} queries, ${mixed} with 3+ features; ` +
        ['relative range', 'absolute range', 'compare', 'rolling', 'total/parent', 'previous in calc', 'custom granularity', 'fill', 'other dimension', 'other filter', 'order/limit'].map((f) => `${f} ${count(f)}`).join(', '),
    );
    expect(specs.length).toBeGreaterThanOrEqual(100);
    expect(mixed / specs.length).toBeGreaterThanOrEqual(0.5);
    for (const f of ['relative range', 'absolute range', 'compare', 'rolling', 'total/parent', 'previous in calc', 'custom granularity', 'fill']) expect(count(f), f).toBeGreaterThanOrEqual(10);
  });

  it(`cache off: ${QUERIES} random queries equal the SQL`, async () => {
    const { mismatches, tally } = await runAll(cacheOff, reference, specs);
    console.log(`analytics differential (cache off): ${specs.length} queries, ${specs.length - mismatches.length} agree, ${mismatches.length} differ; cache ${JSON.stringify(tally)}`);
    expect(mismatches, mismatches.slice(0, 5).join('\n\n')).toEqual([]);
  }, 600_000);

  it(`cache on: after broad cores are warmed, most of ${QUERIES} answers are DERIVED and all equal the SQL`, async () => {
    // The broad cores: every dimension the queries group by, every measure they use, all
    // time, at DAY and at HOUR (for HOUR buckets and the ranges with sub-day bounds).
    cacheOn.setNow(specs[0]!.nowMs);
    for (const grain of ['DAY', 'HOUR']) {
      const warm = await cacheOn.query(`{ facts(limit: 50000) { rows { region channel ts(granularity: ${grain}) ${ANALYTICS_MEASURES.join(' ')} } meta { cache } } }`);
      expect(warm.errors).toBeUndefined();
      expect(warm.data.facts.rows.length).toBeGreaterThan(10_000);
    }
    const { mismatches, tally } = await runAll(cacheOn, reference, specs);
    const derived = tally.DERIVED ?? 0;
    console.log(
      `analytics differential (cache on): ${specs.length} queries, DERIVED ${derived} (${((100 * derived) / specs.length).toFixed(1)}%), HIT ${tally.HIT ?? 0}, MISS ${tally.MISS ?? 0}, other ${JSON.stringify(tally)}; ${mismatches.length} differ`,
    );
    expect(mismatches, mismatches.slice(0, 5).join('\n\n')).toEqual([]);
    // Every core these queries need is one of the warmed ones rolled up and filtered, except
    // where a time bound (the range's, the compared range's or the rolling look-back's) lies
    // within two days of a UTC offset change: the cache refuses those by design
    // (cache/derive/timeResidualProblem.ts) and asks the source (MISS). Four of the six clocks
    // sit on DST-change days on purpose, so about a third of the queries MISS; 69% come
    // DERIVED with these seeds. Most (60%) must.
    expect(derived / specs.length).toBeGreaterThanOrEqual(0.6);
  }, 600_000);

  it('"today" cached yesterday is never served today', async () => {
    // A gateway of its own, not warmed: day 1's answer comes from the source and is cached as is.
    const gw = await startClockedGateway(CONFIG(TEST_PG_URL, true));
    try {
      const query = `{ facts(where: { ts: { inRange: "today" } }) { rows { region revenue orders } meta { cache ranges { from to } } } }`;
      const day1 = Date.parse('2024-07-20T14:00:00Z');
      gw.setNow(day1);
      const first = await gw.query(query);
      expect(first.errors).toBeUndefined();
      expect(first.data.facts.meta.cache).toBe('MISS');
      const again = await gw.query(query);
      expect(again.data.facts.meta.cache).toBe('HIT');
      expect(again.data.facts.rows).toEqual(first.data.facts.rows);
      gw.setNow(day1 + 86_400_000);
      const next = await gw.query(query);
      expect(next.errors).toBeUndefined();
      expect(next.data.facts.meta.cache).toBe('MISS');
      expect(next.data.facts.meta.ranges).toEqual([{ from: '2024-07-21T00:00:00-04:00', to: '2024-07-22T00:00:00-04:00' }]);
      const want = await reference.query(
        `select region, sum(amount)::float8 as revenue, count(*)::float8 as orders from ${SCHEMA}.facts
         where ts >= timestamptz '2024-07-21T00:00:00-04:00' and ts < timestamptz '2024-07-22T00:00:00-04:00' group by region order by region nulls last`,
      );
      expect(want.rows).not.toEqual(first.data.facts.rows);
      const difference = firstDifference(next.data.facts.rows, want.rows, ['region']);
      expect(difference, difference ?? '').toBeNull();
    } finally {
      await gw.close();
    }
  });

  it('refuses what the spec refuses, naming the input', async () => {
    const bad = async (query: string) => (await cacheOff.query(query)).errors?.[0];
    const rollingDistinct = await bad(`{ facts(where: { ts: { inRange: "last 7 days" } }) { rows { ts(granularity: DAY) customers(rolling: "7d") } } }`);
    expect(rollingDistinct?.extensions?.code).toBe('BAD_USER_INPUT');
    const noTime = await bad(`{ facts { rows { region revenue(rolling: "7d") } } }`);
    expect(noTime?.extensions?.code).toBe('BAD_USER_INPUT');
    const noRange = await bad(`{ facts(compare: { to: PREVIOUS_YEAR }) { rows { region revenue previous { revenue } } } }`);
    expect(noRange?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(noRange?.message).toMatch(/compare:? needs a time range in where/);
    const badRange = await bad(`{ facts(where: { ts: { inRange: "last fortnight" } }) { rows { revenue } } }`);
    expect(badRange?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(badRange?.message).toContain('where.ts.inRange');
  });
});

const expectedCache = new Map<number, Row[]>();

/** Runs every spec on `gw` at its clock; returns the mismatches (readable) and the meta.cache tally. */
async function runAll(gw: ClockedGateway, reference: pg.Client, list: readonly AnalyticsSpec[]) {
  const mismatches: string[] = [];
  const tally: Record<string, number> = {};
  const stats = { rows: 0, empty: 0, previous: 0, rolling: 0 };
  for (const spec of list) {
    gw.setNow(spec.nowMs);
    const label = `query ${spec.id} at ${new Date(spec.nowMs).toISOString()} [${spec.features.join(', ')}]\n${spec.graphql}\nvariables ${JSON.stringify(spec.variables)}`;
    const response = await gw.query(spec.graphql, spec.variables);
    if (response.errors) {
      mismatches.push(`${label}\nerrors: ${JSON.stringify(response.errors)}`);
      continue;
    }
    const answer = response.data.facts;
    tally[answer.meta.cache] = (tally[answer.meta.cache] ?? 0) + 1;
    if (process.env.ANALYTICS_DIFF_SHOW_MISS && answer.meta.cache === 'MISS') console.log(`MISS ${spec.id} at ${new Date(spec.nowMs).toISOString()}: ${JSON.stringify(spec.variables)}`);
    const bounds = spec.range ? await resolveBounds(reference, spec.range, spec.nowMs) : null;
    const rangeProblem = checkRanges(spec, bounds, answer.meta.ranges, await previousBounds(reference, spec, bounds));
    if (rangeProblem) {
      mismatches.push(`${label}\nmeta.ranges: ${rangeProblem}`);
      continue;
    }
    // The reference is deterministic: computed once per query, compared in both runs.
    let want = expectedCache.get(spec.id);
    if (!want) expectedCache.set(spec.id, (want = await expectedAnswer(reference, SCHEMA, spec, bounds)));
    const difference = firstDifference(answer.rows, want, [...spec.keys, ...(spec.time ? [spec.time.alias] : [])]);
    if (difference) mismatches.push(`${label}\n${difference}`);
    stats.rows += want.length;
    if (want.length === 0) stats.empty++;
    stats.previous += want.filter((r) => r.previous).length;
    stats.rolling += want.filter((r) => spec.rolling.some((ro) => r[ro.alias] !== null)).length;
  }
  console.log(`  compared ${stats.rows} rows (${stats.previous} with previous, ${stats.rolling} with rolling values); ${stats.empty} empty answers`);
  return { mismatches, tally };
}

/** R_prev as ISO instants: the wall bounds shifted in SQL (months clamp to the month's end). */
async function previousBounds(client: pg.Client, spec: AnalyticsSpec, bounds: ResolvedBounds | null): Promise<{ from: string; to: string } | null> {
  if (!spec.compare || !bounds) return null;
  const sh = shiftInterval(spec.compare, bounds);
  const iso = `'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'`;
  const { rows } = await client.query(
    `select to_char(($1::timestamp - interval '${sh}') at time zone '${DIFF_ZONE}', ${iso}) as "from", to_char(($2::timestamp - interval '${sh}') at time zone '${DIFF_ZONE}', ${iso}) as "to"`,
    [bounds.fromWall, bounds.toWall],
  );
  return rows[0];
}

/** meta.ranges: the relative range as resolved here, and the compare range; null when they agree. */
function checkRanges(spec: AnalyticsSpec, bounds: ResolvedBounds | null, got: { field: string; expression: string; from: string; to: string }[], previous: { from: string; to: string } | null): string | null {
  const want: { field: string; expression: string; from: string; to: string }[] = [];
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  if (spec.range?.kind === 'relative') want.push({ field: 'ts', expression: norm(spec.range.relative.text), from: bounds!.fromIso, to: bounds!.toIso });
  if (previous) want.push({ field: 'ts', expression: spec.compare === 'PREVIOUS_YEAR' ? 'previous year of' : 'previous period of', ...previous });
  const gotNorm = got.map((r) => ({ ...r, expression: norm(r.expression) }));
  const rest = [...gotNorm];
  for (const w of want) {
    const i = rest.findIndex((g) => g.field === w.field && g.from === w.from && g.to === w.to && (w.expression.startsWith('previous') ? g.expression.startsWith(w.expression) : g.expression === w.expression));
    if (i < 0) return `want ${JSON.stringify(w)} among ${JSON.stringify(got)}`;
    rest.splice(i, 1);
  }
  return rest.length ? `unexpected ${JSON.stringify(rest)} (want ${JSON.stringify(want)})` : null;
}

/**
 * The first difference between the answer and the reference, or null: the same rows in the
 * same order, numbers within 1e-9 relative (sums of cents are then exact to the cent),
 * `previous` objects field by field, everything else strictly equal.
 */
function firstDifference(got: Row[], want: Row[], keyFields: string[]): string | null {
  const keyOf = (row: Row | undefined) => (row ? JSON.stringify(Object.fromEntries(keyFields.map((k) => [k, row[k]]))) : 'none');
  const same = (a: unknown, b: unknown): boolean => {
    if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
      return [...fields].every((f) => same((a as Row)[f], (b as Row)[f]));
    }
    return a === b;
  };
  for (let i = 0; i < Math.max(got.length, want.length); i++) {
    const [g, w] = [got[i], want[i]];
    if (!g || !w) return `row ${i}: got ${keyOf(g)}, want ${keyOf(w)} (got ${got.length} rows, want ${want.length})`;
    for (const field of new Set([...Object.keys(w), ...Object.keys(g)])) {
      if (!same(g[field], w[field])) {
        return `row ${i} key ${keyOf(w)} field ${field}: got ${JSON.stringify(g[field])}, want ${JSON.stringify(w[field])}\n  got row  ${JSON.stringify(g)}\n  want row ${JSON.stringify(w)}`;
      }
    }
  }
  return null;
}
