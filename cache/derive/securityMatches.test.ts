import { describe, expect, it } from 'vitest';
import type { Filter } from '../../planner/index.ts';
import { core, f, plan } from './deriveTestPlans.ts';
import { securityMatches } from './securityMatches.ts';

const east = f.eq('region', 'East');
const web = f.in('channel', ['store', 'web']);

describe('securityMatches', () => {
  it.each<[string, Filter[], Filter[], string | null]>([
    ['no policies on either side', [], [], null],
    ['the same policies in another order', [east, web], [web, east], null],
    ['the core has a policy the query lacks', [], [east], 'the cached core was fetched under security predicate region = "East", which the query does not have'],
    ['the query has a policy the core lacks', [east, web], [east], 'the query has security predicate channel in ["store","web"], which the cached core was not fetched under'],
  ])('%s', (_, wanted, held, reason) => {
    const verdict = securityMatches(plan({ dims: ['region'], security: wanted }), core({ dims: ['region'], security: held }));
    expect(verdict).toEqual(reason === null ? { ok: true } : { ok: false, reason });
  });
});
