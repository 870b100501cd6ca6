import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../schema/index.ts';
import { datasetNamespace, keyField, l2Channel, l2Keys } from './l2Keys.ts';

const yaml = (measure: string, ttl = '10m') => `
cache: { ttl: ${ttl} }
sources:
  warehouse: { kind: postgres, url: "postgres://x@127.0.0.1/db" }
datasets:
  sales:
    source: warehouse
    table: s.sales
    dimensions: { region: { type: string } }
    measures: { revenue: { ${measure} } }
  other:
    source: warehouse
    table: s.sales
    dimensions: { region: { type: string } }
    measures: { revenue: { ${measure} } }
`;

describe('L2 key namespacing', () => {
  it('gives one model one namespace, whatever the config object', () => {
    const a = parseConfig(yaml('sum: amount')).datasets.sales!;
    const b = parseConfig(yaml('sum: amount')).datasets.sales!;
    expect(a).not.toBe(b);
    expect(datasetNamespace(a)).toBe(datasetNamespace(b));
    expect(datasetNamespace(a)).toMatch(/^[0-9a-f]{20}$/);
  });

  it('changes the namespace when the model changes, so old bytes are never read', () => {
    const before = parseConfig(yaml('sum: amount')).datasets.sales!;
    const after = parseConfig(yaml('sum: price')).datasets.sales!;
    expect(datasetNamespace(after)).not.toBe(datasetNamespace(before));
  });

  it('keeps the namespace when only cache settings change, and tells datasets apart by name', () => {
    const config = parseConfig(yaml('sum: amount'));
    expect(datasetNamespace(parseConfig(yaml('sum: amount', '1h')).datasets.sales!)).toBe(datasetNamespace(config.datasets.sales!));
    expect(datasetNamespace(config.datasets.other!)).not.toBe(datasetNamespace(config.datasets.sales!));
  });

  it('builds every key of a namespace under the prefix and one hash tag', () => {
    const keys = l2Keys('p:', 'abc');
    const gen = 'g1';
    const field = keyField('some core key');
    expect(field).toMatch(/^[0-9a-f]{40}$/);
    expect([keys.generation, keys.refreshKey, keys.index(gen), keys.core(gen, field), keys.lock(gen, field)]).toEqual([
      'p:{abc}:g',
      'p:{abc}:rk',
      'p:{abc}:g1:i',
      `p:{abc}:g1:c:${field}`,
      `p:{abc}:g1:l:${field}`,
    ]);
    // The scripts derive a generation's keys from `base`.
    expect(keys.core(gen, field).startsWith(`${keys.base}${gen}:`)).toBe(true);
    expect(l2Channel('p:')).toBe('p:events');
  });
});
