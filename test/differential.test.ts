/**
 * Differential suite: random aggregate queries go through the gateway's HTTP endpoint and
 * the same question is asked of Postgres in SQL written here, independently of the planner.
 * Every row and every value must agree. The seed is printed with each failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { connectTestPostgres, TEST_PG_URL } from './support/postgres.ts';
import { seededRandom, type TestGateway } from './support/testGateway.ts';
import { DIFF_CONFIG, openDiffSuite, type DiffSuite } from './differentialFixture.ts';
import { expectedRows, expectSameRow } from './differentialReference.ts';
import { randomQuery } from './randomQuery.ts';

const QUERIES = 320;
const admin = await connectTestPostgres();

describe.skipIf(!admin)('differential: gateway vs hand-written SQL on real Postgres', () => {
  let suite: DiffSuite;
  let gw: TestGateway;
  let expected: pg.Client;

  beforeAll(async () => {
    suite = await openDiffSuite(admin!, DIFF_CONFIG(TEST_PG_URL));
    ({ gw, expected } = suite);
  });

  afterAll(() => suite?.close());

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
