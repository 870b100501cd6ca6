/**
 * deriveTable against the real thing: random (core, query) pairs that canDerive accepts are
 * answered twice on Postgres, once by deriving from the core's rows and once by the query's
 * own SQL; rows, order and values must agree. Plus exact cases that need no database.
 */
import { Float64, Table, Utf8, vectorFromArray, type Vector } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan, compileSql, coreOf, printFilter, type AggregatePlan } from '../../planner/index.ts';
import { parseConfig, type Config, type PostgresSourceConfig } from '../../schema/index.ts';
import { PostgresSource, rowsToArrow } from '../../sources/index.ts';
import { connectTestPostgres, TEST_PG_URL } from '../../test/support/postgres.ts';
import { canDerive } from './canDerive.ts';
import { residualFilter } from './filterImplied.ts';
import { createDeriveTable, DERIVE_CONFIG, DERIVE_SCHEMA } from './deriveDifferentialFixture.ts';
import { core, DERIVE_TEST_DATASET, desc, f, plan } from './deriveTestPlans.ts';
import { deriveTable } from './deriveTable.ts';
import { randomDerivation, seededRandom } from './randomDerivation.ts';

const PAIRS = 300;
const admin = await connectTestPostgres();

describe.skipIf(!admin)('deriveTable vs the query SQL on real Postgres', () => {
  let config: Config;
  let source: PostgresSource;

  beforeAll(async () => {
    await createDeriveTable(admin!);
    config = parseConfig(DERIVE_CONFIG(TEST_PG_URL));
    source = new PostgresSource(config.sources.warehouse as PostgresSourceConfig);
  });

  afterAll(async () => {
    await source?.close();
    await admin?.query(`drop schema if exists ${DERIVE_SCHEMA} cascade`);
    await admin?.end();
  });

  it(`agrees on ${PAIRS} random derivable pairs`, async () => {
    const dataset = config.datasets.facts!;
    const plan = (request: Parameters<typeof buildPlan>[1]) => buildPlan(dataset, request, config.server).rows!;
    const run = (p: AggregatePlan) => source.execute(compileSql(p, dataset));
    const stats = { derived: 0, exact: 0, rolledUpTime: 0, residual: 0, timeResidual: 0, having: 0, rows: 0, rejected: new Map<string, number>() };
    for (let seed = 1; stats.derived < PAIRS && seed < 20 * PAIRS; seed++) {
      const pair = randomDerivation(seededRandom(seed));
      const corePlan = { ...plan(pair.core), having: null, order: [], limit: null, offset: 0 };
      const query = plan(pair.query);
      const cached = coreOf(corePlan, false);
      const verdict = canDerive(query, cached, dataset);
      if (!verdict.ok) {
        const kind = verdict.reason.replace(/"[^"]*"/g, '…').replace(/\(.*\)/, '');
        stats.rejected.set(kind, (stats.rejected.get(kind) ?? 0) + 1);
        continue;
      }
      const derived = deriveTable(query, cached, await run(corePlan), dataset);
      expectSameTable(derived, await run(query), `seed ${seed}`);
      if (seed % 10 === 0) expectSameTable(deriveTable(query, coreOf(query, true), await run(query), dataset), await run(query), `seed ${seed} pushdown`);
      stats.derived++;
      stats.rows += derived.numRows;
      if (query.dimensions.map((d) => d.key).join() === cached.dimensions.map((d) => d.key).join()) stats.exact++;
      const residual = residualFilter(query, cached);
      if (residual) stats.residual++;
      if (residual && /\bts /.test(printFilter(residual))) stats.timeResidual++;
      if (query.dimensions.some((d) => d.granularity && !cached.dimensions.some((c) => c.key === d.key))) stats.rolledUpTime++;
      if (query.having) stats.having++;
    }
    expect(stats.derived).toBe(PAIRS);
    expect(stats.exact).toBeGreaterThan(30);
    expect(stats.residual).toBeGreaterThan(30);
    expect(stats.timeResidual).toBeGreaterThan(15);
    expect(stats.rolledUpTime).toBeGreaterThan(30);
    expect(stats.having).toBeGreaterThan(30);
    console.log(`deriveTable differential: ${JSON.stringify({ ...stats, rejected: Object.fromEntries(stats.rejected) })}`);
  });
});

function expectSameTable(actual: Table, expected: Table, label: string): void {
  expect(actual.schema.fields.map((x) => `${x.name}:${x.type}`), `${label}: columns`).toEqual(expected.schema.fields.map((x) => `${x.name}:${x.type}`));
  expect(actual.numRows, `${label}: row count`).toBe(expected.numRows);
  for (const field of expected.schema.fields) {
    const want = expected.getChild(field.name)!;
    const got = actual.getChild(field.name)!;
    for (let i = 0; i < expected.numRows; i++) {
      const [a, b] = [got.get(i), want.get(i)];
      if (typeof a === 'number' && typeof b === 'number') {
        expect(Math.abs(a - b), `${label} row ${i} ${field.name}: got ${a}, want ${b}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
      } else {
        expect(a, `${label} row ${i} ${field.name}`).toEqual(b);
      }
    }
  }
}

const values = (v: Vector) => Array.from({ length: v.length }, (_, i) => v.get(i));
const columns = (t: Table) => Object.fromEntries(t.schema.fields.map((x) => [x.name, values(t.getChild(x.name)!)]));

describe('deriveTable without a database', () => {
  const table = new Table({
    channel: vectorFromArray(['web', 'store', 'web', null], new Utf8()),
    region: vectorFromArray(['East', 'East', null, 'West'], new Utf8()),
    'revenue.sum': vectorFromArray([10, null, 5, 1], new Float64()),
    'orders.count': vectorFromArray([2, 1, 3, 1], new Float64()),
    'maxAmount.max': vectorFromArray([7, null, 4, 1], new Float64()),
  });
  const held = core({ dims: ['channel', 'region'], measures: ['revenue', 'orders', 'maxAmount'] });
  const derive = (spec: Parameters<typeof plan>[0]) => columns(deriveTable(plan(spec), held, table, DERIVE_TEST_DATASET));

  it('rolls up with nulls as their own group', () => {
    expect(derive({ dims: ['region'], measures: ['revenue', 'orders'] })).toEqual({
      region: ['East', 'West', null],
      'orders.count': [3, 1, 3],
      'revenue.sum': [10, 1, 5],
    });
  });

  it('returns one row without dimensions, even when the residual keeps no row', () => {
    const none = core({ measures: ['revenue', 'orders', 'maxAmount'] });
    const one = new Table({ 'maxAmount.max': vectorFromArray([7], new Float64()), 'orders.count': vectorFromArray([4], new Float64()), 'revenue.sum': vectorFromArray([3], new Float64()) });
    expect(columns(deriveTable(plan({ measures: ['orders'] }), none, one, DERIVE_TEST_DATASET))).toEqual({ 'orders.count': [4] });
    // A denying row policy over a core without dimensions: the residual keeps nothing.
    const denied = plan({ measures: ['revenue', 'orders', 'maxAmount'], security: [{ kind: 'const', value: false }] });
    expect(columns(deriveTable(denied, none, one, DERIVE_TEST_DATASET))).toEqual({ 'maxAmount.max': [null], 'orders.count': [0], 'revenue.sum': [null] });
    expect(derive({ measures: ['revenue', 'orders', 'maxAmount'], filter: f.eq('region', 'North') })).toEqual({
      'maxAmount.max': [null],
      'orders.count': [0],
      'revenue.sum': [null],
    });
  });

  it('answers from an empty core: one row without dimensions, none with', () => {
    const empty = rowsToArrow([{ name: 'region', type: 'string' }, { name: 'revenue.sum', type: 'number' }, { name: 'orders.count', type: 'number' }], []);
    const held = core({ dims: ['region'], measures: ['revenue', 'orders'] });
    expect(columns(deriveTable(plan({ measures: ['revenue', 'orders'] }), held, empty, DERIVE_TEST_DATASET))).toEqual({ 'orders.count': [0], 'revenue.sum': [null] });
    expect(deriveTable(plan({ dims: ['region'], measures: ['orders'] }), held, empty, DERIVE_TEST_DATASET).numRows).toBe(0);
  });

  it('sorts the exact core with nulls last, then pages', () => {
    const spec = { dims: ['channel', 'region'], measures: ['revenue'], order: [desc('revenue')] };
    expect(derive(spec)['revenue.sum']).toEqual([10, 5, 1, null]);
    expect(derive({ ...spec, offset: 1, limit: 2 })).toEqual({ channel: ['web', null], region: [null, 'West'], 'revenue.sum': [5, 1] });
  });

  it('rolls up a 50,000-row core', () => {
    const n = 50_000;
    const day = 86_400_000;
    const big = new Table({
      channel: vectorFromArray(Array.from({ length: n }, (_, i) => ['web', 'store', 'partner'][i % 3]!), new Utf8()),
      'orderDate.day': vectorFromArray(Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + ((i * 7) % 366) * day)),
      region: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 97 === 0 ? null : `R${i % 16}`)), new Utf8()),
      'revenue.sum': vectorFromArray(Float64Array.from({ length: n }, (_, i) => i % 100)),
      'orders.count': vectorFromArray(Float64Array.from({ length: n }, () => 1)),
    });
    const source = core({ dims: ['channel', 'orderDate.day', 'region'], measures: ['revenue', 'orders'] });
    const result = deriveTable(plan({ dims: ['orderDate.month', 'region'], measures: ['revenue', 'orders'] }), source, big, DERIVE_TEST_DATASET);
    expect(result.numRows).toBe(12 * 17);
    expect(values(result.getChild('orders.count')!).reduce((a, b) => a + b, 0)).toBe(n);
  });
});
