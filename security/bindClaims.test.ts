import { describe, expect, it } from 'vitest';
import { bindClaims, MISSING_CLAIM, readClaim } from './bindClaims.ts';

const claims = { tenant: 'acme', regions: ['East', 'West'], org: { id: 7, flags: { beta: true } }, 'https://x.io/region': 'North', empty: null, obj: { a: 1 } };

describe('bindClaims', () => {
  it.each<[string, unknown, unknown]>([
    ['a scalar claim', { tenant: { eq: '$claims.tenant' } }, { tenant: { eq: 'acme' } }],
    ['a list claim as the whole list', { region: { in: '$claims.regions' } }, { region: { in: ['East', 'West'] } }],
    ['a list claim spliced into a list', { region: { in: ['$claims.regions', 'Global'] } }, { region: { in: ['East', 'West', 'Global'] } }],
    ['a nested path', { org: { eq: '$claims.org.id' } }, { org: { eq: 7 } }],
    ['a namespaced claim with dots in its name', { region: { eq: '$claims.https://x.io/region' } }, { region: { eq: 'North' } }],
    ['literals untouched, AND/OR/NOT walked', { OR: [{ a: { eq: 'x' } }, { NOT: { b: { eq: '$claims.org.flags.beta' } } }] }, { OR: [{ a: { eq: 'x' } }, { NOT: { b: { eq: true } } }] }],
    ['a missing claim denies', { tenant: { eq: '$claims.nobody' } }, MISSING_CLAIM],
    ['a null claim denies', { tenant: { eq: '$claims.empty' } }, MISSING_CLAIM],
    ['an object claim denies', { tenant: { eq: '$claims.obj' } }, MISSING_CLAIM],
    ['a missing claim deep inside an OR still denies the whole policy', { OR: [{ a: { eq: 'x' } }, { b: { in: ['$claims.nope'] } }] }, MISSING_CLAIM],
  ])('%s', (_, policy, bound) => {
    expect(bindClaims(policy, claims)).toEqual(bound);
  });

  it('reads claims only from own properties', () => {
    expect(readClaim(claims, 'constructor')).toBeUndefined();
    expect(readClaim(claims, 'org.toString')).toBeUndefined();
  });
});
