import { Float64, tableFromArrays, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, firstBufferOf, sameFingerprint } from './sameData.ts';

describe('sameData', () => {
  const table = () =>
    new Table({ region: vectorFromArray(['a', null, 'c', 'd'], new Utf8()), revenue: vectorFromArray([1, 2, null, 4], new Float64()) });

  it('slices of the same rows of one table share a fingerprint; other slices and other tables do not', () => {
    const t = table();
    expect(sameFingerprint(fingerprintOf(t.slice(0, 3)), fingerprintOf(t.slice(0, 3)))).toBe(true);
    expect(firstBufferOf(t.slice(0, 3))).toBe(firstBufferOf(t));
    expect(sameFingerprint(fingerprintOf(t.slice(0, 3)), fingerprintOf(t.slice(0, 2)))).toBe(false);
    expect(sameFingerprint(fingerprintOf(t.slice(1, 3)), fingerprintOf(t.slice(0, 2)))).toBe(false);
    expect(sameFingerprint(fingerprintOf(t), fingerprintOf(table()))).toBe(false); // equal cells, other buffers: not known to be the same
    const renamed = new Table({ place: t.getChild('region')!, revenue: t.getChild('revenue')! });
    expect(sameFingerprint(fingerprintOf(t), fingerprintOf(renamed))).toBe(false);
    expect(firstBufferOf(tableFromArrays({}))).toBeUndefined();
  });
});
