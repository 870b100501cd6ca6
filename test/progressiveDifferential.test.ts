/**
 * Issue 12: progressive answers, differential. Random queries (randomQuery.ts) are asked as
 * the `facts` subscription over graphql-ws on the real Postgres server. Every version that
 * is not final must equal the same aggregate over the slices it says are done, computed by
 * SQL written in the test (differentialReference.ts); the final version must equal that SQL
 * over every row (the plain query); a repeat must come from the slice cores: one final version, no source call.
 * Distinct counts are exact only in the final version, so earlier versions skip them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { DIFF_CONFIG, openDiffSuite, type DiffSuite } from './differentialFixture.ts';
import { expectedRows, expectSameRow, type TsRange } from './differentialReference.ts';
import { randomQuery, type QuerySpec } from './randomQuery.ts';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { seededRandom, type GraphQLResponse, type TestGateway } from './support/testGateway.ts';
import { wsOperation } from './support/wsOperation.ts';

const QUERIES = 100;
const admin = await connectTestPostgres();

/** The differential config with the cache on (slices are cores) and six slices. */
const CONFIG = (url: string) =>
  DIFF_CONFIG(url)
    .replace('cache: { enabled: false }', 'cache: { enabled: true, maxBytes: 64mb }')
    .replace(/(    timezone: .*\n)/, '$1    progressive: { by: ts, slices: 6 }\n');

interface Version {
  progress: number;
  final: boolean;
  slices: { from: string | null; to: string | null; done: boolean; cache: string | null }[];
  rows: Record<string, unknown>[];
  totals?: Record<string, unknown>;
  meta: { cache: string; sources: unknown[] };
}

/** The spec's query as the progressive subscription, with the version fields added. */
function asSubscription(spec: QuerySpec): string {
  return spec.graphql
    .replace(/^query Q/, 'subscription Q')
    .replace(/\n  \}\n\}$/, '\n    progress final slices { from to done cache } meta { cache sources { sql } }\n  }\n}');
}

/** The spec's plain query with meta selected. */
function withMeta(graphql: string): string {
  return graphql.replace(/\n  \}\n\}$/, '\n    meta { cache sources { sql } }\n  }\n}');
}

async function versionsOf(gw: TestGateway, spec: QuerySpec): Promise<Version[]> {
  const outcome = await wsOperation(gw.server.url, { query: asSubscription(spec), variables: spec.variables });
  expect(outcome.refused, JSON.stringify(outcome.refused)).toBeUndefined();
  expect(outcome.closed).toBeUndefined();
  for (const r of outcome.results as GraphQLResponse[]) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return outcome.results.map((r) => r.data.facts as Version);
}

/** Without the distinct count, or a calc over it: those merge only in the final version. */
function mergeable(row: Record<string, unknown>, spec: QuerySpec, totals: boolean): Record<string, unknown> {
  const skip = new Set([
    ...(totals ? (spec.totals ?? []) : spec.measures).filter((m) => m.name === 'customers').map((m) => m.alias),
    ...(totals ? spec.totalCalcs : spec.calcs).filter((c) => c.sql.includes('distinct')).map((c) => c.alias),
  ]);
  return Object.fromEntries(Object.entries(row).filter(([key]) => !skip.has(key)));
}

describe.skipIf(!admin)('progressive answers vs hand-written SQL on real Postgres', () => {
  let suite: DiffSuite;
  let gw: TestGateway;
  let expected: pg.Client;

  beforeAll(async () => {
    suite = await openDiffSuite(admin!, CONFIG(TEST_PG_URL));
    ({ gw, expected } = suite);
  });

  afterAll(() => suite?.close());

  it(`every version of ${QUERIES} random queries equals SQL over the slices it covers`, async () => {
    let intermediate = 0;
    let sliced = 0;
    let fromSlices = 0;
    for (let seed = 1; seed <= QUERIES; seed++) {
      const spec = randomQuery(seededRandom(1000 + seed));
      const label = `seed ${1000 + seed}: ${asSubscription(spec)}\n${JSON.stringify(spec.variables)}`;
      const versions = await versionsOf(gw, spec);
      expect(versions.length, label).toBeGreaterThan(0);
      expect(versions.at(-1)!.final, label).toBe(true);
      expect(versions.at(-1)!.progress, label).toBe(1);
      // Order or having by a distinct count picks rows by an estimate before the final version.
      const estimated = spec.orderBy.some((o) => o.field === 'customers') || JSON.stringify(spec.having ?? {}).includes('customers');
      for (const v of versions.slice(0, -1)) {
        expect(v.final, label).toBe(false);
        if (estimated) continue;
        const done: TsRange[] = v.slices.filter((s) => s.done);
        expect(v.progress, label).toBeCloseTo(done.length / v.slices.length, 12);
        const want = await expectedRows(expected, spec, done);
        expect(v.rows.length, `${label}\nversion ${v.progress}: row count`).toBe(want.rows.length);
        v.rows.forEach((row, i) => expectSameRow(mergeable(row, spec, false), mergeable(want.rows[i]!, spec, false), `${label} version ${v.progress} row ${i}`));
        if (spec.totals) expectSameRow(mergeable(v.totals!, spec, true), mergeable(want.totals!, spec, true), `${label} version ${v.progress} totals`);
        intermediate++;
      }
      if (versions.length > 1) sliced++;
      // The final version is the plain query's answer, as SQL over every row computes it.
      const final = versions.at(-1)!;
      const whole = await expectedRows(expected, spec);
      expect(final.rows.length, label).toBe(whole.rows.length);
      final.rows.forEach((row, i) => expectSameRow(row, whole.rows[i]!, `${label} final row ${i}`));
      if (spec.totals) expectSameRow(final.totals!, whole.totals!, `${label} final totals`);
      // A repeat: from the slice cores (or the whole core), one final version, no source call.
      const repeat = await versionsOf(gw, spec);
      expect(repeat.length, `${label}\nrepeat`).toBe(1);
      expect(repeat[0]!.meta.sources, `${label}\nrepeat`).toEqual([]);
      expect(['HIT', 'DERIVED'], label).toContain(repeat[0]!.meta.cache);
      repeat[0]!.rows.forEach((row, i) => expectSameRow(row, final.rows[i]!, `${label} repeat row ${i}`));
      // A plain query over two whole cells of the grid: merged from those slice cores when
      // the progressive query read them whole (no ts bound of its own) and nothing is distinct.
      const cells = final.slices.filter((c) => c.from !== null && c.to !== null);
      if (cells.length >= 2) {
        const range = { from: cells[1]!.from, to: cells[0]!.to };
        const part = { ...spec, where: spec.where ? { AND: [spec.where, { ts: { gte: range.from, lt: range.to } }] } : { ts: { gte: range.from, lt: range.to } } };
        const answer = await gw.query(withMeta(spec.graphql), { ...spec.variables, where: part.where });
        expect(answer.errors, label).toBeUndefined();
        const want = await expectedRows(expected, part);
        expect(answer.data.facts.rows.length, `${label}\npart ${JSON.stringify(range)}`).toBe(want.rows.length);
        answer.data.facts.rows.forEach((row: Record<string, unknown>, i: number) => expectSameRow(row, want.rows[i]!, `${label} part row ${i}`));
        if (spec.totals) expectSameRow(answer.data.facts.totals, want.totals!, `${label} part totals`);
        const mergeable = !JSON.stringify(spec.where ?? {}).includes('"ts"') && !JSON.stringify([asSubscription(spec), spec.variables]).includes('customers') && !spec.calcs.concat(spec.totalCalcs).some((c) => c.sql.includes('distinct'));
        if (mergeable) {
          // (HIT when an earlier seed asked the same plain query.)
          expect(answer.data.facts.meta.sources, `${label}\npart ${JSON.stringify(range)}`).toEqual([]);
          if (answer.data.facts.meta.cache === 'DERIVED') fromSlices++;
        }
      }
    }
    console.log(
      `progressive differential: ${QUERIES} queries, ${sliced} answered in slices, ${intermediate} intermediate versions equal to SQL, ${fromSlices} plain queries over part of the range merged from slice cores (DERIVED, no source call), 0 mismatches`,
    );
    expect(sliced).toBeGreaterThan(QUERIES / 3);
    expect(fromSlices).toBeGreaterThan(0);
  });
});
