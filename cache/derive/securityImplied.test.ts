import { describe, expect, it } from 'vitest';
import type { Filter } from '../../planner/index.ts';
import { canDerive } from './canDerive.ts';
import { core, DERIVE_TEST_DATASET, f, plan } from './deriveTestPlans.ts';
import { residualFilter } from './filterImplied.ts';
import { securityImplied } from './securityImplied.ts';

const east = f.eq('region', 'East');
const west = f.eq('region', 'West');
const eastOrWest = f.in('region', ['East', 'West']);
const web = f.in('channel', ['store', 'web']);
const deny: Filter = { kind: 'const', value: false };

describe('securityImplied', () => {
  it.each<[string, Filter[], Filter[], string | null]>([
    ['no policies on either side', [], [], null],
    ['the same policies in another order', [east, web], [web, east], null],
    ["an admin's core (no policy) for a tenant", [east], [], null],
    ['a broader policy for a narrower one', [east], [eastOrWest], null],
    ['a denied caller (missing claim) reads nothing from anything', [deny], [east], null],
    ["a tenant's core for an admin", [], [east], 'the cached core was fetched under security predicate region = "East", which the query\'s own policy does not imply'],
    ["another tenant's core", [west], [east], 'the cached core was fetched under security predicate region = "East", which the query\'s own policy does not imply'],
    ['a policy on another dimension', [web], [east], 'the cached core was fetched under security predicate region = "East", which the query\'s own policy does not imply'],
    ['a narrower policy for a broader one', [eastOrWest], [east], 'the cached core was fetched under security predicate region = "East", which the query\'s own policy does not imply'],
  ])('%s', (_, wanted, held, reason) => {
    const verdict = securityImplied(plan({ dims: ['region'], security: wanted }), core({ dims: ['region'], security: held }), DERIVE_TEST_DATASET);
    expect(verdict).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});

describe('row policies in the whole derivation', () => {
  it.each<[string, Parameters<typeof plan>[0], Parameters<typeof core>[0], string | null]>([
    ["a tenant rolls up an admin's core grouped by the policy's dimension", { dims: [], measures: ['revenue'], security: [east] }, { dims: ['region'], measures: ['revenue'] }, null],
    ["the policy's dimension is not in the admin's core", { dims: ['channel'], security: [east] }, { dims: ['channel'] }, 'filter on "region" needs a dimension the cached core does not have'],
    ["the tenant's policy proves the core's own filter", { dims: ['region'], security: [east] }, { dims: ['region'], filter: eastOrWest }, null],
    ['a query filter does not stand in for a policy', { dims: ['region'], filter: east }, { dims: ['region'], security: [east] }, 'the cached core was fetched under security predicate region = "East", which the query\'s own policy does not imply'],
  ])('%s', (_, query, cached, reason) => {
    const verdict = canDerive(plan(query), core(cached), DERIVE_TEST_DATASET);
    expect(verdict).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });

  it("puts the query's policy conjuncts the core lacks into the residual filter", () => {
    expect(residualFilter(plan({ dims: [], filter: web, security: [east] }), core({ dims: ['region', 'channel'], filter: web }))).toEqual(east);
    expect(residualFilter(plan({ dims: [], security: [east] }), core({ dims: ['region'], security: [east] }))).toBeNull();
  });
});
