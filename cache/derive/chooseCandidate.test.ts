import { describe, expect, it } from 'vitest';
import { chooseCandidate, type Candidate } from './chooseCandidate.ts';
import { core, DERIVE_TEST_DATASET, plan } from './deriveTestPlans.ts';

const target = plan({ dims: ['region'], measures: ['revenue'] });
const byRegionChannel: Candidate = { key: 'rc', core: core({ dims: ['region', 'channel'], measures: ['revenue'] }), rows: 40 };
const byRegionDay: Candidate = { key: 'rd', core: core({ dims: ['region', 'orderDate.day'], measures: ['revenue', 'orders'] }), rows: 1800 };
const byRegion: Candidate = { key: 'r', core: core({ dims: ['region'], measures: ['revenue'] }), rows: 5 };
const byChannel: Candidate = { key: 'c', core: core({ dims: ['channel'], measures: ['revenue'] }), rows: 3 };

describe('chooseCandidate', () => {
  it('picks the candidate with the fewest rows among those that can answer', () => {
    expect(chooseCandidate(target, [byRegionDay, byChannel, byRegionChannel, byRegion], DERIVE_TEST_DATASET)).toEqual({
      chosen: byRegion,
      rejected: [
        { key: 'rd', reason: 'r answers from 5 rows; this core holds 1800' },
        { key: 'c', reason: 'dimension "region" is not in the cached core' },
        { key: 'rc', reason: 'r answers from 5 rows; this core holds 40' },
      ],
    });
  });

  it('keeps the first of equally cheap candidates', () => {
    const twin = { ...byRegion, key: 'r2' };
    expect(chooseCandidate(target, [byRegion, twin], DERIVE_TEST_DATASET).chosen).toBe(byRegion);
  });

  it('chooses nothing when no candidate can answer', () => {
    expect(chooseCandidate(target, [byChannel], DERIVE_TEST_DATASET)).toEqual({
      chosen: null,
      rejected: [{ key: 'c', reason: 'dimension "region" is not in the cached core' }],
    });
    expect(chooseCandidate(target, [], DERIVE_TEST_DATASET)).toEqual({ chosen: null, rejected: [] });
  });
});
